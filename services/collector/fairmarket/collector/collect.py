"""Collecting one pricing request: fetch, keep the raw responses, normalize, emit.

The fetch happens before anything is written; what it returns is stored in the
handler's transaction together with the events, so a crash in between just
collects again, and deterministic price point ids keep that from duplicating.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.dialects.postgresql import insert

from fairmarket.collector.adapters.base import Adapter, FetchResult, collect_listings
from fairmarket.collector.adapters.errors import MARKETPLACE_FAULTS
from fairmarket.collector.adapters.http import HttpCaller
from fairmarket.collector.adapters.politeness import CircuitBreaker, PacedDeadline, TokenBucket
from fairmarket.collector.adapters.registry import Adapters
from fairmarket.collector.db import exchanges, jobs, price_points, raw_artifacts
from fairmarket.collector.domain.exchange_log import ExchangeLog
from fairmarket.collector.domain.money import Rates
from fairmarket.collector.domain.normalize import request_points
from fairmarket.collector.metrics import CIRCUIT_STATE, CIRCUIT_VALUES, COMPS, SOURCE_ERRORS
from fairmarket.common.events import PricingRequested, PricingRequestedData, SourceRef
from fairmarket.common.uow import UnitOfWork


@dataclass
class Manners:
    """How the collector treats marketplaces; one per service, shared by every fetch."""

    http: HttpCaller
    circuit_failures: int = 5
    circuit_cooldown: float = 60.0
    source_limits: bool = True  # off: only the marketplaces' own published limits apply
    buckets: dict[str, TokenBucket] = field(default_factory=dict)
    breakers: dict[str, CircuitBreaker] = field(default_factory=dict)

    def bucket(self, source: SourceRef, adapter: Adapter) -> TokenBucket | None:
        configured = source.rate_limit_per_minute if self.source_limits else None
        limits = [x for x in (configured, adapter.rate_limit_per_minute) if x]
        if not limits:
            return None
        rate = float(min(limits))
        bucket = self.buckets.get(source.name)
        if bucket is None:
            bucket = self.buckets[source.name] = TokenBucket(rate, burst=max(1.0, rate / 60))
        elif bucket.rate_per_minute != rate:
            bucket.retune(rate)
        return bucket

    def breaker(self, source: str) -> CircuitBreaker:
        breaker = self.breakers.get(source)
        if breaker is None:
            breaker = self.breakers[source] = CircuitBreaker(
                self.circuit_failures, self.circuit_cooldown
            )
        return breaker


def error_class(result: FetchResult) -> str:
    """The metric's class of a failed or partial collection: its kind, as raised."""
    return result.error_kind or "other"


def marketplace_fault(result: FetchResult) -> bool:
    """Whether a collection failed for the marketplace's sake (what the breaker counts): not
    a request the adapter could not price, nor one the marketplace refused as asked."""
    return result.status == "failed" and result.error_kind in MARKETPLACE_FAULTS


class Collector:
    def __init__(
        self, adapters: Adapters, rates: Rates, deadline_seconds: float, manners: Manners
    ) -> None:
        self.adapters = adapters
        self.rates = rates
        self.deadline = deadline_seconds
        self.manners = manners

    async def _fetch(self, adapter: Adapter, request: PricingRequestedData) -> FetchResult:
        """The collection within the deadline; waits on the source's own token bucket do not
        count (the deadline bounds the marketplace's slowness, not our pacing)."""
        bucket = self.manners.bucket(request.source, adapter)
        try:
            async with asyncio.timeout(self.deadline) as timeout:
                http = self.manners.http.for_source(
                    request.source.name, bucket, PacedDeadline(timeout)
                )
                return await collect_listings(adapter, request, http)
        except TimeoutError:
            return FetchResult.failed("deadline", f"deadline of {self.deadline:.0f}s exceeded")

    async def fetch(self, request: PricingRequested) -> FetchResult:
        source = request.data.source
        adapter = self.adapters.for_source(source)
        if adapter is None:
            result = FetchResult.failed(
                "not_configured", f"no adapter {source.adapter!r} is configured"
            )
        else:
            breaker = self.manners.breaker(source.name)
            if breaker.allow():
                result = await self._fetch(adapter, request.data)
                breaker.record(not marketplace_fault(result))
            else:
                result = FetchResult.failed(
                    "circuit_open",
                    f"circuit open after {breaker.failures} failed collections in a row; "
                    f"next try in {breaker.retry_in():.0f}s",
                )
            CIRCUIT_STATE.labels(source.name).set(CIRCUIT_VALUES[breaker.state])
        if result.status != "ok":
            SOURCE_ERRORS.labels(source.name, error_class(result)).inc()
        return result

    async def store(
        self,
        uow: UnitOfWork,
        request: PricingRequested,
        result: FetchResult,
        *,
        started_at: datetime,
    ) -> None:
        """Write raw responses, price points and the job (cached statements, rows as
        parameters) and raise their events on the unit of work."""
        d = request.data
        log = ExchangeLog.of(d.request_id, result.exchanges)
        sourced = [(x, log.artifact_of(x.exchange_index)) for x in result.listings]
        points = request_points(sourced, d, rates=self.rates, now=datetime.now(UTC))
        COMPS.labels(d.source.name, "true").inc(points.filtered)
        COMPS.labels(d.source.name, "false").inc(len(points) - points.filtered)
        job = points.job_row(
            revision=d.revision,
            source=d.source,
            request=d.model_dump(mode="json"),
            status=result.status,
            error=result.error,
            started_at=started_at,
        )
        for statement, values in (
            (INSERT_ARTIFACTS, log.artifact_rows()),
            (exchanges.insert(), log.exchange_rows()),
            (INSERT_POINTS, points.rows()),
            (INSERT_JOBS, [job]),
        ):
            if values:
                await uow.conn.execute(statement, values)
        uow.raise_events(points.events(causation_id=request.event_id))
        uow.raise_events(
            [
                points.completed(
                    revision=d.revision,
                    source=d.source,
                    status=result.status,
                    attribution=d.attribution,
                    error=result.error,
                    run_size=d.run_size,
                    causation_id=request.event_id,
                )
            ]
        )


INSERT_ARTIFACTS = insert(raw_artifacts).on_conflict_do_nothing()
INSERT_POINTS = insert(price_points).on_conflict_do_nothing()
INSERT_JOBS = insert(jobs).on_conflict_do_nothing()

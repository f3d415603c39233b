"""Collecting one pricing request: fetch, keep the raw responses, normalize, emit.

The fetch happens before anything is written; what it returns is stored in the
handler's transaction together with the events, so a crash in between just
collects again, and deterministic price point ids keep that from duplicating.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.collector.adapters.base import Adapter, FetchResult, collect_listings
from fairmarket.collector.adapters.errors import MARKETPLACE_FAULTS
from fairmarket.collector.adapters.http import HttpCaller
from fairmarket.collector.adapters.politeness import CircuitBreaker, PacedDeadline, TokenBucket
from fairmarket.collector.adapters.registry import Adapters
from fairmarket.collector.db import exchanges, jobs, price_points, raw_artifacts
from fairmarket.collector.domain.money import Rates
from fairmarket.collector.domain.normalize import to_price_points
from fairmarket.collector.domain.price_points import PricePoints
from fairmarket.collector.metrics import CIRCUIT_STATE, CIRCUIT_VALUES, COMPS, SOURCE_ERRORS
from fairmarket.common.events import Envelope, PricingRequested, PricingRequestedData, SourceRef


def artifact_id(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


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
        conn: AsyncConnection,
        request: PricingRequested,
        result: FetchResult,
        *,
        started_at: datetime,
    ) -> list[Envelope[Any]]:
        """Write raw responses, price points and the job (cached statements, rows as
        parameters); return the events to emit."""
        d = request.data
        ids = [artifact_id(x.body) for x in result.exchanges]
        artifacts = {
            i: {"id": i, "content_type": x.content_type, "size": len(x.body), "body": x.body}
            for i, x in zip(ids, result.exchanges, strict=True)
        }
        logged = [
            {
                "request_id": d.request_id,
                "seq": seq,
                "artifact_id": ids[seq],
                "method": x.method,
                "url": x.url,
                "params": dict(x.params),
                "status": x.status,
                "elapsed_ms": x.elapsed_ms,
                "requested_at": x.requested_at,
            }
            for seq, x in enumerate(result.exchanges)
        ]
        sourced = [
            (x, ids[x.exchange_index] if x.exchange_index < len(ids) else None)
            for x in result.listings
        ]
        points = PricePoints.of(
            to_price_points(sourced, d, rates=self.rates, now=datetime.now(UTC)),
            request_id=d.request_id,
            run_id=d.run_id,
            item_id=d.item_id,
        )
        filtered = points.filtered
        COMPS.labels(d.source.name, "true").inc(filtered)
        COMPS.labels(d.source.name, "false").inc(len(points) - filtered)
        job = {
            "request_id": d.request_id,
            "run_id": d.run_id,
            "item_id": d.item_id,
            "revision": d.revision,
            "source": d.source.name,
            "adapter": d.source.adapter,
            "request": d.model_dump(mode="json"),
            "status": result.status,
            "collected": len(points),
            "filtered": filtered,
            "error": result.error,
            "started_at": started_at,
        }
        events: list[Envelope[Any]] = [*points.events(causation_id=request.event_id)]
        events.append(
            points.completed(
                revision=d.revision,
                source=d.source,
                status=result.status,
                attribution=d.attribution,
                error=result.error,
                run_size=d.run_size,
                causation_id=request.event_id,
            )
        )
        for statement, values in (
            (INSERT_ARTIFACTS, list(artifacts.values())),
            (exchanges.insert(), logged),
            (INSERT_POINTS, points.rows()),
            (INSERT_JOBS, [job]),
        ):
            if values:
                await conn.execute(statement, values)
        return events


INSERT_ARTIFACTS = insert(raw_artifacts).on_conflict_do_nothing()
INSERT_POINTS = insert(price_points).on_conflict_do_nothing()
INSERT_JOBS = insert(jobs).on_conflict_do_nothing()

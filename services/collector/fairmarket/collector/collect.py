"""Collecting one pricing request: fetch, keep the raw responses, normalize, emit.

The fetch happens before anything is written; what it returns is stored in the
handler's transaction together with the events, so a crash in between just
collects again, and deterministic price point ids keep that from duplicating.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.collector.adapters.base import Adapter, FetchResult
from fairmarket.collector.db import exchanges, jobs, price_points, raw_artifacts
from fairmarket.collector.domain.money import Rates
from fairmarket.collector.domain.normalize import to_price_point
from fairmarket.common.events import (
    Envelope,
    PricePointCollected,
    PricePointCollectedData,
    PricingCompleted,
    PricingCompletedData,
    PricingRequested,
)


def artifact_id(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def item_grade(attribution: Any) -> str | None:
    return (
        getattr(attribution, "grade", None)
        or getattr(attribution, "media_grade", None)
        or (getattr(attribution, "condition", None))
    )


class Collector:
    def __init__(self, adapters: dict[str, Adapter], rates: Rates, deadline_seconds: float) -> None:
        self.adapters = adapters
        self.rates = rates
        self.deadline = deadline_seconds

    async def fetch(self, request: PricingRequested) -> FetchResult:
        adapter = self.adapters.get(request.data.source.adapter)
        if adapter is None:
            return FetchResult(
                exchanges=[],
                listings=[],
                status="failed",
                error=f"no adapter {request.data.source.adapter!r} is configured",
            )
        try:
            return await asyncio.wait_for(adapter.fetch(request.data), self.deadline)
        except TimeoutError:
            return FetchResult(
                exchanges=[],
                listings=[],
                status="failed",
                error=f"deadline of {self.deadline:.0f}s exceeded",
            )

    async def fetch_all(self, requests: Sequence[PricingRequested]) -> list[FetchResult]:
        return list(await asyncio.gather(*(self.fetch(r) for r in requests)))

    async def store(
        self,
        conn: AsyncConnection,
        request: PricingRequested,
        result: FetchResult,
        *,
        started_at: datetime,
    ) -> list[Envelope[Any]]:
        """Write raw responses, price points and the job; return the events to emit."""
        d = request.data
        ids = [artifact_id(x.body) for x in result.exchanges]
        if result.exchanges:
            await conn.execute(
                insert(raw_artifacts)
                .values(
                    [
                        {
                            "id": i,
                            "content_type": x.content_type,
                            "size": len(x.body),
                            "body": x.body,
                        }
                        for i, x in dict(zip(ids, result.exchanges, strict=True)).items()
                    ]
                )
                .on_conflict_do_nothing()
            )
            await conn.execute(
                exchanges.insert(),
                [
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
                ],
            )
        now = datetime.now(UTC)
        points: dict[Any, PricePointCollectedData] = {}
        for listing in result.listings:
            raw_id = ids[listing.exchange_index] if listing.exchange_index < len(ids) else None
            point = to_price_point(listing, d, raw_artifact_id=raw_id, rates=self.rates, now=now)
            points.setdefault(point.price_point_id, point)
        events: list[Envelope[Any]] = [
            PricePointCollected(
                producer="collector",
                correlation_id=d.run_id,
                causation_id=request.event_id,
                data=p,
            )
            for p in points.values()
        ]
        if points:
            await conn.execute(
                insert(price_points)
                .values(
                    [
                        {
                            "id": p.price_point_id,
                            "request_id": d.request_id,
                            "item_id": d.item_id,
                            "raw_artifact_id": p.raw_artifact_id,
                            "payload": p.model_dump(mode="json"),
                        }
                        for p in points.values()
                    ]
                )
                .on_conflict_do_nothing()
            )
        filtered = sum(1 for p in points.values() if p.filtered)
        await conn.execute(
            insert(jobs)
            .values(
                request_id=d.request_id,
                run_id=d.run_id,
                item_id=d.item_id,
                revision=d.revision,
                source=d.source.name,
                adapter=d.source.adapter,
                request=d.model_dump(mode="json"),
                status=result.status,
                collected=len(points),
                filtered=filtered,
                error=result.error,
                started_at=started_at,
            )
            .on_conflict_do_nothing()
        )
        events.append(
            PricingCompleted(
                producer="collector",
                correlation_id=d.run_id,
                causation_id=request.event_id,
                data=PricingCompletedData(
                    request_id=d.request_id,
                    run_id=d.run_id,
                    item_id=d.item_id,
                    revision=d.revision,
                    source=d.source,
                    status=result.status,
                    collected=len(points),
                    filtered=filtered,
                    error=result.error,
                    item_grade=item_grade(d.attribution),
                ),
            )
        )
        return events

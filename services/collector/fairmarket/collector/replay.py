"""Re-running normalization over a request's stored raw responses, without the marketplace.

Emits the price points that changed (new, or different from what was stored),
so a fix to a parser or a filter reaches the valuation for past requests too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from fairmarket.collector.adapters.base import RawExchange, parse_listings
from fairmarket.collector.adapters.registry import Adapters
from fairmarket.collector.db import exchanges, jobs, price_points, raw_artifacts
from fairmarket.collector.domain.money import Rates
from fairmarket.collector.domain.normalize import request_points
from fairmarket.common.events import PricingRequestedData
from fairmarket.common.uow import UnitOfWork


@dataclass(frozen=True)
class ReplayReport:
    request_id: uuid.UUID
    exchanges: int
    price_points: int
    changed: int


class UnknownRequest(LookupError):
    pass


async def replay(
    uow: UnitOfWork, request_id: uuid.UUID, rates: Rates, adapters: Adapters
) -> ReplayReport:
    """Store what changed and raise its events on the unit of work."""
    conn = uow.conn
    job = (await conn.execute(select(jobs).where(jobs.c.request_id == request_id))).one_or_none()
    if job is None:
        raise UnknownRequest(f"no collection job for request {request_id}")
    request = PricingRequestedData.model_validate(job.request)
    adapter = adapters.for_source(request.source)
    if adapter is None:
        raise UnknownRequest(
            f"source {request.source.name!r} ({request.source.adapter}) is not configured here"
        )
    rows = (
        await conn.execute(
            select(exchanges, raw_artifacts.c.body, raw_artifacts.c.content_type)
            .join(raw_artifacts, raw_artifacts.c.id == exchanges.c.artifact_id)
            .where(exchanges.c.request_id == request_id)
            .order_by(exchanges.c.seq)
        )
    ).all()
    stored = [
        RawExchange(
            method=r.method,
            url=r.url,
            params=r.params,
            status=r.status,
            body=r.body,
            content_type=r.content_type,
            elapsed_ms=r.elapsed_ms,
            requested_at=r.requested_at,
        )
        for r in rows
    ]
    artifact_ids = [r.artifact_id for r in rows]
    previous: dict[Any, dict[str, Any]] = {
        r.id: r.payload
        for r in (
            await conn.execute(
                select(price_points.c.id, price_points.c.payload).where(
                    price_points.c.request_id == request_id
                )
            )
        ).all()
    }
    sourced = [
        (x, artifact_ids[x.exchange_index]) for x in parse_listings(adapter, stored, request)
    ]
    points = request_points(sourced, request, rates=rates, now=job.started_at or datetime.now(UTC))
    changed = points.changed_since(previous)
    if changed.points:
        stmt = insert(price_points).values(changed.rows())
        await conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[price_points.c.id, price_points.c.request_id],
                set_={"payload": stmt.excluded.payload},
            )
        )
        uow.raise_events(changed.events())
    return ReplayReport(request_id, len(stored), len(points), len(changed))

"""Starting pricing runs: one `pricing.requested` per (item, enabled source)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.catalog.db import pricing_requests, pricing_runs, sources
from fairmarket.catalog.metrics import PRICING_RUNS
from fairmarket.common.events import (
    PricingRequested,
    PricingRequestedData,
    SourceRef,
    SourceRules,
)


async def sources_for(
    conn: AsyncConnection, category: str, names: list[str] | None = None
) -> list[Any]:
    query = select(sources).where(sources.c.enabled.is_(True)).order_by(sources.c.name)
    if names:
        query = query.where(sources.c.name.in_(names))
    rows = (await conn.execute(query)).all()
    return [r for r in rows if not r.categories or category in r.categories]


async def start_run(
    conn: AsyncConnection,
    *,
    item: Any,
    reason: str,
    requested_by: str,
    source_names: list[str] | None = None,
    causation_id: uuid.UUID | None = None,
) -> tuple[uuid.UUID, list[PricingRequested]]:
    """Record a run and its per-source requests; returns the events to put in the outbox."""
    run_id = uuid.uuid4()
    chosen = await sources_for(conn, item.category, source_names)
    await conn.execute(
        pricing_runs.insert().values(
            id=run_id,
            item_id=item.id,
            revision=item.revision,
            reason=reason,
            requested_by=requested_by,
        )
    )
    events = []
    for source in chosen:
        request_id = uuid.uuid4()
        await conn.execute(
            pricing_requests.insert().values(
                id=request_id,
                run_id=run_id,
                item_id=item.id,
                source_id=source.id,
                source_name=source.name,
                status="pending",
            )
        )
        events.append(
            PricingRequested(
                producer="catalog",
                correlation_id=run_id,
                causation_id=causation_id,
                data=PricingRequestedData(
                    request_id=request_id,
                    run_id=run_id,
                    item_id=item.id,
                    revision=item.revision,
                    category=item.category,
                    attribution=item.attribution,
                    title=item.title,
                    source=SourceRef(
                        id=source.id,
                        name=source.name,
                        adapter=source.adapter,
                        reputation=source.reputation,
                        rate_limit_per_minute=source.rate_limit_per_minute,
                    ),
                    rules=SourceRules.model_validate(source.rules or {}),
                ),
            )
        )
    if events:
        PRICING_RUNS.labels(reason).inc()
    return run_id, events

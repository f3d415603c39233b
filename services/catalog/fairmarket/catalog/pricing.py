"""Starting pricing runs: one `pricing.requested` per (item, enabled source)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class RunAsk:
    """One run to start: the item row, why, by whom, and the sources named (None: all)."""

    item: Any
    reason: str
    requested_by: str
    source_names: list[str] | None = None
    causation_id: uuid.UUID | None = None


def serves(source: Any, category: str, names: list[str] | None) -> bool:
    if names and source.name not in names:
        return False
    return not source.categories or category in source.categories


async def enabled_sources(conn: AsyncConnection) -> list[Any]:
    query = select(sources).where(sources.c.enabled.is_(True)).order_by(sources.c.name)
    return list((await conn.execute(query)).all())


def request_event(
    ask: RunAsk, run_id: uuid.UUID, request_id: uuid.UUID, source: Any, run_size: int
) -> PricingRequested:
    item = ask.item
    return PricingRequested(
        producer="catalog",
        correlation_id=run_id,
        causation_id=ask.causation_id,
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
            run_size=run_size,
        ),
    )


async def start_runs(
    conn: AsyncConnection, asks: Sequence[RunAsk]
) -> list[tuple[uuid.UUID, list[PricingRequested]]]:
    """Record runs and their per-source requests in three statements whatever their number
    (a consumer batch starts dozens); returns (run id, events for the outbox) per ask."""
    if not asks:
        return []
    enabled = await enabled_sources(conn)
    runs, requests, out = [], [], []
    for ask in asks:
        run_id = uuid.uuid4()
        item = ask.item
        runs.append(
            {
                "id": run_id,
                "item_id": item.id,
                "revision": item.revision,
                "reason": ask.reason,
                "requested_by": ask.requested_by,
            }
        )
        events = []
        chosen = [s for s in enabled if serves(s, item.category, ask.source_names)]
        for source in chosen:
            request_id = uuid.uuid4()
            requests.append(
                {
                    "id": request_id,
                    "run_id": run_id,
                    "item_id": item.id,
                    "source_id": source.id,
                    "source_name": source.name,
                    "status": "pending",
                }
            )
            events.append(request_event(ask, run_id, request_id, source, len(chosen)))
        if events:
            PRICING_RUNS.labels(ask.reason).inc()
        out.append((run_id, events))
    await conn.execute(pricing_runs.insert(), runs)  # rows as parameters: one cached statement
    if requests:
        await conn.execute(pricing_requests.insert(), requests)
    return out


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
    ask = RunAsk(item, reason, requested_by, source_names, causation_id)
    return (await start_runs(conn, [ask]))[0]

"""Evaluating watches when a valuation arrives: a delivery row per watch that fires.

Runs inside the consumer's transaction with the valuation, so a watch fires
exactly once per edge even when the event is redelivered (the inbox skips it).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.catalog.db import deliveries, items, watch_states, watches
from fairmarket.catalog.domain.watch_rules import Condition, covers, fires, holds
from fairmarket.catalog.metrics import BAD_ROWS_SKIPPED
from fairmarket.common.db import among
from fairmarket.common.events import ValuationComputed
from fairmarket.common.tracing import traceparent_for


def payload(watch: Any, item: Any, event: ValuationComputed) -> dict[str, Any]:
    d = event.data
    return {
        "type": "watch.fired",
        "watch_id": str(watch.id),
        "condition": watch.condition,
        "item": {"id": str(item.id), "category": item.category, "title": item.title},
        "valuation": {
            "version": d.version,
            "fmv_usd_cents": d.fmv_usd_cents,
            "previous_fmv_usd_cents": d.previous_fmv_usd_cents,
            "p10_usd_cents": d.p10_usd_cents,
            "p90_usd_cents": d.p90_usd_cents,
            "confidence": d.confidence,
            "explanation": d.explanation,
        },
        "event_id": str(event.event_id),
        "occurred_at": event.occurred_at.isoformat(),
    }


async def _usable(conn: AsyncConnection, candidates: Sequence[Any]) -> list[tuple[Any, Condition]]:
    """Each watch with its condition; a watch stored with a condition no longer valid
    (stored before the API refused it) is disabled with the reason and skipped, so one bad
    watch cannot stop the valuations of every item from being stored."""
    usable, broken = [], []
    for watch in candidates:
        try:
            usable.append((watch, Condition.model_validate(watch.condition)))
        except ValidationError as exc:
            broken.append((watch.id, exc.errors()[0].get("msg", "invalid")))
    for watch_id, why in broken:
        await conn.execute(
            update(watches)
            .where(watches.c.id == watch_id)
            .values(enabled=False, disabled_reason=f"condition cannot be evaluated: {why}")
        )
        BAD_ROWS_SKIPPED.labels("watch").inc()
    return usable


async def evaluate(conn: AsyncConnection, events: Sequence[ValuationComputed]) -> int:
    """Record the edge of every enabled watch covering each valued item, in the events' order
    (two valuations of one item in a batch are two edges); returns deliveries queued."""
    item_ids = list(dict.fromkeys(e.data.item_id for e in events))
    candidates = (
        await conn.execute(
            select(watches).where(
                watches.c.enabled.is_(True),
                among(watches.c.item_id, item_ids) | watches.c.item_id.is_(None),
            )
        )
    ).all()
    checked = await _usable(conn, candidates)
    if not checked:
        return 0
    rows = (await conn.execute(select(items).where(among(items.c.id, item_ids)))).all()
    by_id = {r.id: r for r in rows}
    held = (
        await conn.execute(
            select(watch_states).where(
                among(watch_states.c.item_id, item_ids),
                among(watch_states.c.watch_id, [w.id for w in candidates]),
            )
        )
    ).all()
    active = {(r.watch_id, r.item_id): bool(r.active) for r in held}
    queued = 0
    for event in events:
        item = by_id.get(event.data.item_id)
        if item is None:
            continue
        valuation = event.data.model_dump(mode="json")
        attribution = " ".join(str(v) for v in (item.attribution or {}).values())
        for watch, condition in checked:
            if not covers(
                watch,
                item_id=item.id,
                category=item.category,
                title=item.title,
                attribution=attribution,
            ):
                continue
            now_holds = holds(condition, valuation)
            was = active.get((watch.id, item.id), False)
            if was != now_holds:
                stmt = insert(watch_states).values(
                    watch_id=watch.id, item_id=item.id, active=now_holds
                )
                await conn.execute(
                    stmt.on_conflict_do_update(
                        index_elements=[watch_states.c.watch_id, watch_states.c.item_id],
                        set_={"active": now_holds, "changed_at": func.now()},
                    )
                )
                active[(watch.id, item.id)] = now_holds
            if fires(was, now_holds):
                await conn.execute(
                    deliveries.insert().values(
                        id=uuid.uuid4(),
                        watch_id=watch.id,
                        item_id=item.id,
                        payload=payload(watch, item, event),
                        traceparent=traceparent_for(str(item.id)),  # the valuation's trace
                    )
                )
                queued += 1
    return queued

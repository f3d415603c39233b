"""Writing what the valuation consumes: comps, request completions and admin flags."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.common.events import PricePointCollected, PricePointFlagged, PricingCompleted
from fairmarket.valuation.db import comps, flags, request_comps, requests


def _upsert_comps() -> Any:
    """Cached statements with rows as parameters: compiling a multi-VALUES literal per
    batch cost more than the insert itself."""
    stmt = insert(comps)
    return stmt.on_conflict_do_update(
        index_elements=[comps.c.price_point_id],
        set_={c.name: stmt.excluded[c.name] for c in comps.columns if c.name != "price_point_id"},
    )


UPSERT_COMPS = _upsert_comps()
LINK_COMPS = insert(request_comps).on_conflict_do_nothing()


async def save_comps(conn: AsyncConnection, events: list[PricePointCollected]) -> None:
    rows = {}
    links = {}
    for e in events:
        d = e.data
        rows[d.price_point_id] = {
            "price_point_id": d.price_point_id,
            "item_id": d.item_id,
            "revision": d.revision,
            "source": d.source.name,
            "reputation": d.source.reputation,
            "kind": d.kind,
            "total_usd_cents": d.total_usd_cents,
            "observed_at": d.observed_at,
            "match_score": d.match_score,
            "sale_format": d.sale_format,
            "bids": d.bids,
            "grade": d.grade,
            "filtered": d.filtered,
            "filtered_reason": d.filtered_reason,
        }
        links[(d.request_id, d.price_point_id)] = {
            "request_id": d.request_id,
            "price_point_id": d.price_point_id,
            "item_id": d.item_id,
            "revision": d.revision,
        }
    await conn.execute(UPSERT_COMPS, list(rows.values()))
    await conn.execute(LINK_COMPS, list(links.values()))


async def save_completion(conn: AsyncConnection, event: PricingCompleted) -> None:
    d = event.data
    await conn.execute(
        insert(requests)
        .values(
            request_id=d.request_id,
            run_id=d.run_id,
            item_id=d.item_id,
            revision=d.revision,
            status=d.status,
            expected=d.collected,
            item_grade=d.item_grade,
            completed_at=event.occurred_at,
        )
        .on_conflict_do_nothing()
    )


async def save_flag(conn: AsyncConnection, event: PricePointFlagged) -> None:
    d = event.data
    stmt = insert(flags).values(
        price_point_id=d.price_point_id,
        item_id=d.item_id,
        excluded=d.excluded,
        reason=d.reason,
        by=d.by,
        flagged_at=event.occurred_at,
    )
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[flags.c.price_point_id],
            set_={
                "excluded": stmt.excluded.excluded,
                "reason": stmt.excluded.reason,
                "by": stmt.excluded.by,
                "flagged_at": stmt.excluded.flagged_at,
            },
            where=flags.c.flagged_at <= stmt.excluded.flagged_at,
        )
    )

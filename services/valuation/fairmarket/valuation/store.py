"""Writing what the valuation consumes: comps, request completions and admin flags."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.common.events import PricePointCollected, PricePointFlagged, PricingCompleted
from fairmarket.common.inputs import EARLIEST, LATEST, fit, fit_int
from fairmarket.valuation.db import comps, flags, request_comps, requests
from fairmarket.valuation.metrics import BAD_COMPS


def _upsert_comps() -> Any:
    """Cached statements with rows as parameters: compiling a multi-VALUES literal per
    batch cost more than the insert itself."""
    stmt = insert(comps)
    return stmt.on_conflict_do_update(
        index_elements=[comps.c.price_point_id],
        set_={c.name: stmt.excluded[c.name] for c in comps.columns if c.name != "price_point_id"},
    )


def _upsert_flags() -> Any:
    """A flag replaces an older one only: flags of one comp may arrive out of order."""
    stmt = insert(flags)
    return stmt.on_conflict_do_update(
        index_elements=[flags.c.price_point_id],
        set_={
            "excluded": stmt.excluded.excluded,
            "reason": stmt.excluded.reason,
            "by": stmt.excluded.by,
            "flagged_at": stmt.excluded.flagged_at,
        },
        where=flags.c.flagged_at <= stmt.excluded.flagged_at,
    )


UPSERT_COMPS = _upsert_comps()
LINK_COMPS = insert(request_comps).on_conflict_do_nothing()
INSERT_COMPLETIONS = insert(requests).on_conflict_do_nothing()
UPSERT_FLAGS = _upsert_flags()


async def save_comps(conn: AsyncConnection, events: list[PricePointCollected]) -> None:
    rows = {}
    links = {}
    for e in events:
        d = e.data
        observed, filtered, reason = d.observed_at, d.filtered, d.filtered_reason
        if not EARLIEST <= observed < LATEST:  # kept (counted as received), never used
            observed = min(max(observed, EARLIEST), LATEST - timedelta(seconds=1))
            filtered, reason = True, f"observed date {d.observed_at.isoformat()} out of range"
            BAD_COMPS.inc()
        rows[d.price_point_id] = {
            "price_point_id": d.price_point_id,
            "item_id": d.item_id,
            "revision": d.revision,
            "source": fit(d.source.name, 100),
            "reputation": d.source.reputation,
            "kind": d.kind,
            "total_usd_cents": d.total_usd_cents,
            "observed_at": observed,
            "match_score": d.match_score,
            "sale_format": d.sale_format,
            "bids": fit_int(d.bids),
            "grade": fit(d.grade, 100),
            "filtered": filtered,
            "filtered_reason": fit(reason, 500),
        }
        links[(d.request_id, d.price_point_id)] = {
            "request_id": d.request_id,
            "price_point_id": d.price_point_id,
            "item_id": d.item_id,
            "revision": d.revision,
        }
    await conn.execute(UPSERT_COMPS, list(rows.values()))
    await conn.execute(LINK_COMPS, list(links.values()))


async def save_completions(conn: AsyncConnection, events: list[PricingCompleted]) -> None:
    """A redelivered completion keeps the first one's row."""
    await conn.execute(
        INSERT_COMPLETIONS,
        [
            {
                "request_id": e.data.request_id,
                "run_id": e.data.run_id,
                "item_id": e.data.item_id,
                "revision": e.data.revision,
                "status": e.data.status,
                "expected": e.data.collected,
                "item_grade": fit(e.data.item_grade, 100),
                "completed_at": e.occurred_at,
                "run_size": e.data.run_size,
            }
            for e in events
        ],
    )


async def save_flags(conn: AsyncConnection, events: list[PricePointFlagged]) -> None:
    """Rows apply one after another (executemany), so the batch's order still decides ties."""
    await conn.execute(
        UPSERT_FLAGS,
        [
            {
                "price_point_id": e.data.price_point_id,
                "item_id": e.data.item_id,
                "excluded": e.data.excluded,
                "reason": e.data.reason,
                "by": e.data.by,
                "flagged_at": e.occurred_at,
            }
            for e in events
        ],
    )

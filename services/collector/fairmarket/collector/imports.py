"""Comps from a spreadsheet (auction results, show sales) as price points of a `manual` source:
the items' known requests read, the plan (domain/imports.py) written, its events raised."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.collector.db import jobs, price_points
from fairmarket.collector.domain.imports import ImportRefused, KnownItem, plan_import
from fairmarket.collector.domain.money import Rates
from fairmarket.common.comps_csv import CompRow
from fairmarket.common.uow import UnitOfWork

__all__ = ["ImportRefused", "known_items", "store_import"]

INSERT_POINTS = insert(price_points).on_conflict_do_nothing()


async def known_items(
    conn: AsyncConnection, item_ids: set[uuid.UUID]
) -> dict[uuid.UUID, KnownItem]:
    """Each item's latest revision and category, from the pricing requests seen for it."""
    latest = (
        select(jobs.c.item_id, func.max(jobs.c.revision).label("revision"))
        .where(jobs.c.item_id.in_(item_ids))
        .group_by(jobs.c.item_id)
        .subquery()
    )
    rows = (
        await conn.execute(
            select(latest.c.item_id, latest.c.revision, jobs.c.request).join(
                jobs, (jobs.c.item_id == latest.c.item_id) & (jobs.c.revision == latest.c.revision)
            )
        )
    ).all()
    return {r.item_id: KnownItem(r.revision, r.request) for r in rows}


async def store_import(uow: UnitOfWork, rows: list[CompRow], rates: Rates) -> dict[str, int]:
    """Write the file's comps and raise their events; how many rows each item got."""
    items = await known_items(uow.conn, {r.item_id for r in rows})
    planned = plan_import(rows, items, rates)
    now = datetime.now(UTC)
    for item in planned:
        await uow.conn.execute(jobs.insert(), [item.job_row(started_at=now)])
        await uow.conn.execute(INSERT_POINTS, item.points.rows())
        uow.raise_events(item.events())
    return {str(item.points.item_id): item.rows for item in planned}

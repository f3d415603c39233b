"""Recomputing stored items with the current method; the changed ones go out as events."""

from __future__ import annotations

import uuid

from rich.progress import Progress
from sqlalchemy import select

from fairmarket.common.db import make_engine
from fairmarket.common.messaging.outbox import Outbox
from fairmarket.valuation.db import SCHEMA, outbox, requests
from fairmarket.valuation.revalue import revalue
from fairmarket.valuation.settings import ValuationSettings


async def recompute_items(
    settings: ValuationSettings, items: list[uuid.UUID] | None
) -> tuple[int, int]:
    """Returns (changed, total). The running service's relay publishes the outbox rows."""
    engine = make_engine(settings.database_url, schema=SCHEMA, pool_size=2)
    box = Outbox(outbox)
    changed = 0
    try:
        if items is None:
            async with engine.connect() as conn:
                items = list((await conn.execute(select(requests.c.item_id).distinct())).scalars())
        with Progress(transient=True) as progress:
            task = progress.add_task("recomputing", total=len(items))
            for item_id in items:
                async with engine.begin() as conn:
                    if (event := await revalue(conn, item_id)) is not None:
                        await box.add(conn, [event])
                        changed += 1
                progress.advance(task)
    finally:
        await engine.dispose()
    return changed, len(items)

"""Recomputing stored items with the current method; the changed ones go out as events."""

from __future__ import annotations

import uuid

from rich.progress import Progress
from sqlalchemy import select

from fairmarket.valuation.bootstrap import bootstrap
from fairmarket.valuation.db import requests
from fairmarket.valuation.revalue import revalue
from fairmarket.valuation.settings import ValuationSettings


async def recompute_items(
    settings: ValuationSettings, items: list[uuid.UUID] | None
) -> tuple[int, int]:
    """Returns (changed, total). Each item is its own unit of work, so one that fails
    keeps the ones before it; the running service's relay publishes the outbox rows."""
    runtime = bootstrap(settings).runtime
    changed = 0
    try:
        if items is None:
            async with runtime.reader.connect() as conn:
                items = list((await conn.execute(select(requests.c.item_id).distinct())).scalars())
        with Progress(transient=True) as progress:
            task = progress.add_task("recomputing", total=len(items))
            for item_id in items:
                async with runtime.units.begin() as uow:
                    if (event := await revalue(uow.conn, item_id)) is not None:
                        uow.raise_events([event])
                        changed += 1
                progress.advance(task)
    finally:
        await runtime.engine.dispose()
    return changed, len(items)

"""Re-pricing an item now: a pricing run asking each enabled source for fresh comps."""

from __future__ import annotations

import uuid

from fastapi import HTTPException

from fairmarket.catalog.db import items
from fairmarket.catalog.pricing import start_run
from fairmarket.catalog.service.rows import by_id
from fairmarket.common.auth import Principal, Role
from fairmarket.common.runtime import ServiceRuntime
from fairmarket.common.web import ensure_role


async def reprice(
    rt: ServiceRuntime,
    principal: Principal,
    item_id: uuid.UUID,
    source_names: list[str] | None = None,
) -> uuid.UUID:
    """The new run's id."""
    ensure_role(principal, Role.staff)
    async with rt.units.begin() as uow:
        item = await by_id(uow.conn, items, item_id, "item")
        run_id, events = await start_run(
            uow.conn,
            item=item,
            reason="reprice",
            requested_by=principal.subject,
            source_names=source_names,
        )
        if not events:
            raise HTTPException(422, "no enabled source serves this item's category")
        uow.raise_events(events)
    return run_id

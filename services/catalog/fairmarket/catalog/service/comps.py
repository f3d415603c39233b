"""Excluding a comp from an item's valuation, or restoring it, with a reason."""

from __future__ import annotations

import uuid

from fastapi import HTTPException
from sqlalchemy import update

from fairmarket.catalog.db import comps
from fairmarket.common.auth import Principal, Role
from fairmarket.common.events import PricePointFlagged, PricePointFlaggedData
from fairmarket.common.runtime import ServiceRuntime
from fairmarket.common.web import ensure_role


async def flag(
    rt: ServiceRuntime,
    principal: Principal,
    item_id: uuid.UUID,
    price_point_id: uuid.UUID,
    excluded: bool,
    reason: str | None,
) -> None:
    """The flag travels as `pricepoint.flagged` to the valuation, which recomputes."""
    ensure_role(principal, Role.admin)
    if excluded and not reason:
        raise HTTPException(422, "say why the comp is excluded")
    async with rt.units.begin() as uow:
        found = (
            await uow.conn.execute(
                update(comps)
                .where(comps.c.item_id == item_id, comps.c.price_point_id == price_point_id)
                .values(excluded=excluded, excluded_reason=reason, excluded_by=principal.subject)
            )
        ).rowcount
        if not found:
            raise HTTPException(404, f"item {item_id} has no comp {price_point_id}")
        uow.raise_events(
            [
                PricePointFlagged(
                    producer="catalog",
                    data=PricePointFlaggedData(
                        price_point_id=price_point_id,
                        item_id=item_id,
                        excluded=excluded,
                        reason=reason,
                        by=principal.subject,
                    ),
                )
            ]
        )

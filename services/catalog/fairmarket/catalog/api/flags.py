"""Admins exclude a comp from an item's valuation (or restore it), with a reason."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict
from sqlalchemy import update

from fairmarket.catalog.api.deps import Runtime
from fairmarket.catalog.db import comps
from fairmarket.common.events import PricePointFlagged, PricePointFlaggedData
from fairmarket.common.inputs import text
from fairmarket.common.web import Admin

router = APIRouter(tags=["comps"])

Reason = text(2000)


class FlagIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    excluded: bool
    reason: Reason | None = None


class FlagOut(BaseModel):
    price_point_id: uuid.UUID
    item_id: uuid.UUID
    excluded: bool
    reason: str | None
    by: str


@router.put("/v1/items/{item_id}/comps/{price_point_id}/flag", response_model=FlagOut)
async def flag_comp(
    item_id: uuid.UUID, price_point_id: uuid.UUID, body: FlagIn, principal: Admin, rt: Runtime
) -> FlagOut:
    """The flag travels as `pricepoint.flagged` to the valuation, which recomputes."""
    if body.excluded and not body.reason:
        raise HTTPException(422, "say why the comp is excluded")
    async with rt.engine.begin() as conn:
        found = (
            await conn.execute(
                update(comps)
                .where(comps.c.item_id == item_id, comps.c.price_point_id == price_point_id)
                .values(
                    excluded=body.excluded,
                    excluded_reason=body.reason,
                    excluded_by=principal.subject,
                )
            )
        ).rowcount
        if not found:
            raise HTTPException(404, f"item {item_id} has no comp {price_point_id}")
        await rt.outbox.add(
            conn,
            [
                PricePointFlagged(
                    producer="catalog",
                    data=PricePointFlaggedData(
                        price_point_id=price_point_id,
                        item_id=item_id,
                        excluded=body.excluded,
                        reason=body.reason,
                        by=principal.subject,
                    ),
                )
            ],
        )
    rt.outbox.notify()
    return FlagOut(
        price_point_id=price_point_id,
        item_id=item_id,
        excluded=body.excluded,
        reason=body.reason,
        by=principal.subject,
    )

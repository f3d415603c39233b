"""Admins exclude a comp from an item's valuation (or restore it), with a reason."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from fairmarket.catalog.api.deps import Runtime
from fairmarket.catalog.service import comps as comps_service
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
    await comps_service.flag(rt, principal, item_id, price_point_id, body.excluded, body.reason)
    return FlagOut(
        price_point_id=price_point_id,
        item_id=item_id,
        excluded=body.excluded,
        reason=body.reason,
        by=principal.subject,
    )

"""Products: what a shop sells from an item, at a price its policy sets from the valuation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from fairmarket.catalog.api.deps import Runtime
from fairmarket.catalog.domain.price_policy import PricePolicy
from fairmarket.catalog.service import products as products_service
from fairmarket.common.inputs import text
from fairmarket.common.web import Admin, Staff, Viewer

router = APIRouter(prefix="/v1/products", tags=["products"])

Title = text(500, min_length=1)
Description = text(20_000)


class ProductIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: uuid.UUID
    title: Title | None = None
    description: Description | None = None
    policy: PricePolicy = Field(default_factory=PricePolicy)


class ProductPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Description | None = None
    policy: PricePolicy | None = None


class ProductOut(BaseModel):
    id: uuid.UUID
    item_id: uuid.UUID
    title: str
    description: str | None
    policy: dict[str, Any]
    price_usd_cents: int | None
    pending_price_usd_cents: int | None
    pending_reason: str | None
    published: bool
    published_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime


def _out(row: Any) -> ProductOut:
    return ProductOut.model_validate(row._asdict())


@router.post("", status_code=201, response_model=ProductOut)
async def create_product(body: ProductIn, principal: Staff, rt: Runtime) -> ProductOut:
    row = await products_service.create(
        rt,
        principal,
        body.item_id,
        title=body.title,
        description=body.description,
        policy=body.policy,
    )
    return _out(row)


@router.get("", response_model=list[ProductOut])
async def list_products(
    principal: Viewer,
    rt: Runtime,
    item_id: uuid.UUID | None = None,
    published: bool | None = None,
    pending: Annotated[bool | None, Query(description="only prices waiting approval")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ProductOut]:
    rows = await products_service.listing(
        rt, item_id=item_id, published=published, pending=pending, limit=limit
    )
    return [_out(r) for r in rows]


@router.get("/{product_id}", response_model=ProductOut)
async def get_product(product_id: uuid.UUID, principal: Viewer, rt: Runtime) -> ProductOut:
    return _out(await products_service.get(rt, product_id))


@router.patch("/{product_id}", response_model=ProductOut)
async def patch_product(
    product_id: uuid.UUID, body: ProductPatch, principal: Staff, rt: Runtime
) -> ProductOut:
    """A new policy prices the product at once, except a published price that staff move
    past the approval threshold: that waits for an admin (`products_service.change`)."""
    texts = body.model_dump(exclude_unset=True, exclude={"policy"})
    return _out(await products_service.change(rt, principal, product_id, texts, body.policy))


@router.post("/{product_id}/publish", response_model=ProductOut)
async def publish(product_id: uuid.UUID, principal: Staff, rt: Runtime) -> ProductOut:
    return _out(await products_service.publish(rt, principal, product_id))


@router.post("/{product_id}/unpublish", response_model=ProductOut)
async def unpublish(product_id: uuid.UUID, principal: Staff, rt: Runtime) -> ProductOut:
    return _out(await products_service.unpublish(rt, principal, product_id))


@router.post("/{product_id}/approve-price", response_model=ProductOut)
async def approve_price(product_id: uuid.UUID, principal: Admin, rt: Runtime) -> ProductOut:
    return _out(await products_service.approve_price(rt, principal, product_id))


@router.post("/{product_id}/reject-price", response_model=ProductOut)
async def reject_price(product_id: uuid.UUID, principal: Admin, rt: Runtime) -> ProductOut:
    return _out(await products_service.reject_price(rt, principal, product_id))

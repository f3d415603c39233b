"""Products: what a shop sells from an item, at a price its policy sets from the valuation."""

from __future__ import annotations

import uuid
from datetime import datetime
from types import SimpleNamespace
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select, update

from fairmarket.catalog.api.deps import Runtime
from fairmarket.catalog.db import items, products
from fairmarket.catalog.domain.price_policy import PricePolicy, policy_price
from fairmarket.catalog.products import proposed_price
from fairmarket.catalog.service import products as products_service
from fairmarket.common.auth import Role
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


async def _get(rt: Runtime, product_id: uuid.UUID) -> ProductOut:
    return _out(await products_service.get(rt, product_id))


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
    query = select(products).order_by(products.c.created_at.desc(), products.c.id).limit(limit)
    if item_id is not None:
        query = query.where(products.c.item_id == item_id)
    if published is not None:
        query = query.where(products.c.published.is_(published))
    if pending is not None:
        column = products.c.pending_price_usd_cents
        query = query.where(column.is_not(None) if pending else column.is_(None))
    async with rt.reader.connect() as conn:
        return [_out(r) for r in (await conn.execute(query)).all()]


@router.get("/{product_id}", response_model=ProductOut)
async def get_product(product_id: uuid.UUID, principal: Viewer, rt: Runtime) -> ProductOut:
    return await _get(rt, product_id)


@router.patch("/{product_id}", response_model=ProductOut)
async def patch_product(
    product_id: uuid.UUID, body: ProductPatch, principal: Staff, rt: Runtime, request: Request
) -> ProductOut:
    """A new policy prices the product at once (a shop changing its own policy approves it),
    except a published price that staff move past the approval threshold: that waits for an
    admin, as a valuation's does (a PATCH of the same policy applied a price waiting)."""
    changes: dict[str, Any] = body.model_dump(exclude_unset=True, exclude={"policy"})
    async with rt.engine.begin() as conn:
        row = (
            await conn.execute(
                select(products).where(products.c.id == product_id).with_for_update()
            )
        ).one_or_none()
        if row is None:
            raise HTTPException(404, f"product {product_id} not found")
        if body.policy is not None:
            fmv = await conn.scalar(select(items.c.fmv_usd_cents).where(items.c.id == row.item_id))
            policy = body.policy.model_dump(mode="json")
            changes["policy"] = policy
            if principal.may(Role.admin) or not row.published:
                changes |= {
                    "price_usd_cents": policy_price(body.policy, fmv),
                    "pending_price_usd_cents": None,
                    "pending_reason": None,
                }
            else:
                threshold = request.app.state.settings.price_approval_threshold_pct
                current = SimpleNamespace(policy=policy, price_usd_cents=row.price_usd_cents)
                changes |= proposed_price(current, fmv, threshold)
        if changes:
            await conn.execute(
                update(products)
                .where(products.c.id == product_id)
                .values(**changes, updated_at=func.now())
            )
    return await _get(rt, product_id)


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

"""Products: created from an item at its policy's price, published, and price changes
over the approval threshold approved or rejected by an admin."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import HTTPException
from sqlalchemy import func, select, update

from fairmarket.catalog.db import items, products
from fairmarket.catalog.domain.price_policy import PricePolicy, policy_price
from fairmarket.catalog.service.roles import ensure
from fairmarket.common.auth import Principal, Role
from fairmarket.common.runtime import ServiceRuntime


async def get(rt: ServiceRuntime, product_id: uuid.UUID) -> Any:
    async with rt.reader.connect() as conn:
        row = (
            await conn.execute(select(products).where(products.c.id == product_id))
        ).one_or_none()
    if row is None:
        raise HTTPException(404, f"product {product_id} not found")
    return row


async def create(
    rt: ServiceRuntime,
    principal: Principal,
    item_id: uuid.UUID,
    *,
    title: str | None,
    description: str | None,
    policy: PricePolicy,
) -> Any:
    ensure(principal, Role.staff)
    async with rt.engine.begin() as conn:
        item = (await conn.execute(select(items).where(items.c.id == item_id))).one_or_none()
        if item is None:
            raise HTTPException(422, f"item {item_id} not found")
        return (
            await conn.execute(
                products.insert()
                .values(
                    id=uuid.uuid4(),
                    item_id=item.id,
                    title=title or item.title or f"{item.category} {item.id}",
                    description=description,
                    policy=policy.model_dump(mode="json"),
                    price_usd_cents=policy_price(policy, item.fmv_usd_cents),
                    created_by=principal.subject,
                )
                .returning(products)
            )
        ).one()


async def _set(rt: ServiceRuntime, product_id: uuid.UUID, **values: Any) -> Any:
    async with rt.engine.begin() as conn:
        done = await conn.execute(
            update(products)
            .where(products.c.id == product_id)
            .values(**values, updated_at=func.now())
            .returning(products.c.id)
        )
        if done.one_or_none() is None:
            raise HTTPException(404, f"product {product_id} not found")
    return await get(rt, product_id)


async def publish(rt: ServiceRuntime, principal: Principal, product_id: uuid.UUID) -> Any:
    ensure(principal, Role.staff)
    product = await get(rt, product_id)
    if product.price_usd_cents is None:
        raise HTTPException(409, "the product has no price yet: its item has no valuation")
    if product.published:
        return product
    return await _set(rt, product_id, published=True, published_at=func.now())


async def unpublish(rt: ServiceRuntime, principal: Principal, product_id: uuid.UUID) -> Any:
    ensure(principal, Role.staff)
    await get(rt, product_id)
    return await _set(rt, product_id, published=False)


async def approve_price(rt: ServiceRuntime, principal: Principal, product_id: uuid.UUID) -> Any:
    ensure(principal, Role.admin)
    product = await get(rt, product_id)
    if product.pending_price_usd_cents is None:
        raise HTTPException(409, "no price is waiting for approval")
    return await _set(
        rt,
        product_id,
        price_usd_cents=product.pending_price_usd_cents,
        pending_price_usd_cents=None,
        pending_reason=None,
    )


async def reject_price(rt: ServiceRuntime, principal: Principal, product_id: uuid.UUID) -> Any:
    ensure(principal, Role.admin)
    product = await get(rt, product_id)
    if product.pending_price_usd_cents is None:
        raise HTTPException(409, "no price is waiting for approval")
    return await _set(rt, product_id, pending_price_usd_cents=None, pending_reason=None)

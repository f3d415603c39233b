"""Products: created from an item at its policy's price, published, and price changes
over the approval threshold approved or rejected by an admin."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import HTTPException
from sqlalchemy import case, func, select, update

from fairmarket.catalog.db import items, products
from fairmarket.catalog.domain.price_policy import PricePolicy, policy_price, price_on_publish
from fairmarket.common.auth import Principal, Role
from fairmarket.common.runtime import ServiceRuntime
from fairmarket.common.web import ensure_role


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
    ensure_role(principal, Role.staff)
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
    """Staff may publish, but not move the storefront's price past the approval threshold
    from the last price it showed: the product is back at that price, the new one waits for
    an admin in the same queue as a valuation's (see `price_on_publish`)."""
    ensure_role(principal, Role.staff)
    threshold = float(rt.settings.price_approval_threshold_pct)  # type: ignore[attr-defined]
    async with rt.engine.begin() as conn:  # locked: a concurrent PATCH cannot slip a price in
        product = (
            await conn.execute(
                select(products).where(products.c.id == product_id).with_for_update()
            )
        ).one_or_none()
        if product is None:
            raise HTTPException(404, f"product {product_id} not found")
        if product.price_usd_cents is None:
            raise HTTPException(409, "the product has no price yet: its item has no valuation")
        if product.published:
            return product
        shown = price_on_publish(
            product.last_published_price_usd_cents,
            product.price_usd_cents,
            threshold,
            approver=principal.may(Role.admin),
        )
        values: dict[str, Any] = {
            "published": True,
            "published_at": func.now(),
            "price_usd_cents": shown.price_usd_cents,
            "last_published_price_usd_cents": shown.price_usd_cents,
        }
        if shown.pending_usd_cents is not None:
            values |= {
                "pending_price_usd_cents": shown.pending_usd_cents,
                "pending_reason": shown.pending_reason,
            }
        await conn.execute(
            update(products)
            .where(products.c.id == product_id)
            .values(**values, updated_at=func.now())
        )
    return await get(rt, product_id)


async def unpublish(rt: ServiceRuntime, principal: Principal, product_id: uuid.UUID) -> Any:
    """Remembers the price the storefront showed until now, for the next publish."""
    ensure_role(principal, Role.staff)
    await get(rt, product_id)
    shown = case(
        (products.c.published.is_(True), products.c.price_usd_cents),
        else_=products.c.last_published_price_usd_cents,
    )
    return await _set(rt, product_id, published=False, last_published_price_usd_cents=shown)


async def approve_price(rt: ServiceRuntime, principal: Principal, product_id: uuid.UUID) -> Any:
    ensure_role(principal, Role.admin)
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
    ensure_role(principal, Role.admin)
    product = await get(rt, product_id)
    if product.pending_price_usd_cents is None:
        raise HTTPException(409, "no price is waiting for approval")
    return await _set(rt, product_id, pending_price_usd_cents=None, pending_reason=None)

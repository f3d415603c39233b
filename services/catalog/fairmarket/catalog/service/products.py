"""Products: created from an item at its policy's price, changed, published, and price changes
over the approval threshold approved or rejected by an admin. Each write is one unit of work
holding the product's row locked, so no two of them interleave on one product."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import HTTPException
from sqlalchemy import case, func, select, update

from fairmarket.catalog.db import items, products
from fairmarket.catalog.domain.price_policy import (
    PricePolicy,
    ProductPrice,
    next_price,
    policy_price,
    price_on_publish,
)
from fairmarket.catalog.products import price_columns
from fairmarket.catalog.service.rows import by_id
from fairmarket.common.auth import Principal, Role
from fairmarket.common.runtime import ServiceRuntime
from fairmarket.common.uow import UnitOfWork
from fairmarket.common.web import ensure_role


def _threshold(rt: ServiceRuntime) -> float:
    return float(rt.settings.price_approval_threshold_pct)  # type: ignore[attr-defined]


async def listing(
    rt: ServiceRuntime,
    *,
    item_id: uuid.UUID | None = None,
    published: bool | None = None,
    pending: bool | None = None,
    limit: int = 100,
) -> list[Any]:
    """The newest products first, filtered (`pending`: only prices waiting approval, or none)."""
    query = select(products).order_by(products.c.created_at.desc(), products.c.id).limit(limit)
    if item_id is not None:
        query = query.where(products.c.item_id == item_id)
    if published is not None:
        query = query.where(products.c.published.is_(published))
    if pending is not None:
        column = products.c.pending_price_usd_cents
        query = query.where(column.is_not(None) if pending else column.is_(None))
    async with rt.reader.connect() as conn:
        return list((await conn.execute(query)).all())


async def get(rt: ServiceRuntime, product_id: uuid.UUID) -> Any:
    async with rt.reader.connect() as conn:
        return await by_id(conn, products, product_id, "product")


async def _locked(uow: UnitOfWork, product_id: uuid.UUID) -> Any:
    """The product's row, locked until the unit ends (a concurrent change waits), or a 404."""
    return await by_id(uow.conn, products, product_id, "product", lock=True)


async def _write(uow: UnitOfWork, product_id: uuid.UUID, values: dict[str, Any]) -> Any:
    """The product's row after the changes."""
    return (
        await uow.conn.execute(
            update(products)
            .where(products.c.id == product_id)
            .values(**values, updated_at=func.now())
            .returning(products)
        )
    ).one()


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
    async with rt.units.begin() as uow:
        item = await by_id(uow.conn, items, item_id, "item", status=422)
        return (
            await uow.conn.execute(
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


async def change(
    rt: ServiceRuntime,
    principal: Principal,
    product_id: uuid.UUID,
    texts: dict[str, Any],
    policy: PricePolicy | None = None,
) -> Any:
    """New `texts` (title, description) and a new policy. A new policy prices the product at
    once (a shop changing its own policy approves it), except a published price that staff
    move past the approval threshold: that waits for an admin, as a valuation's does (see
    `next_price`)."""
    ensure_role(principal, Role.staff)
    async with rt.units.begin() as uow:
        product = await _locked(uow, product_id)
        values = dict(texts)
        if policy is not None:
            fmv = await uow.conn.scalar(
                select(items.c.fmv_usd_cents).where(items.c.id == product.item_id)
            )
            price = next_price(
                policy,
                product.price_usd_cents,
                fmv,
                _threshold(rt),
                approved=principal.may(Role.admin) or not product.published,
            )
            values |= {"policy": policy.model_dump(mode="json"), **price_columns(price)}
        return await _write(uow, product_id, values) if values else product


async def publish(rt: ServiceRuntime, principal: Principal, product_id: uuid.UUID) -> Any:
    """Staff may publish, but not move the storefront's price past the approval threshold
    from the last price it showed: the product is back at that price, the new one waits for
    an admin in the same queue as a valuation's (see `price_on_publish`). A product never
    published is held to its item's storefront price, so a second product of the same
    item at another price is no way around the approval either."""
    ensure_role(principal, Role.staff)
    async with rt.units.begin() as uow:  # locked: a concurrent PATCH cannot slip a price in
        product = await _locked(uow, product_id)
        if product.price_usd_cents is None:
            raise HTTPException(409, "the product has no price yet: its item has no valuation")
        if product.published:
            return product
        last_shown = product.last_published_price_usd_cents
        if last_shown is None:  # a first publish: the item's price on the storefront is the bar
            last_shown = await _item_storefront_price(uow, product)
        shown = price_on_publish(
            last_shown,
            product.price_usd_cents,
            _threshold(rt),
            approver=principal.may(Role.admin),
        )
        values: dict[str, Any] = {
            "published": True,
            "published_at": func.now(),
            "price_usd_cents": shown.price_usd_cents,
            "last_published_price_usd_cents": shown.price_usd_cents,
        }
        if shown.pending_usd_cents is not None:  # else a price waiting before still waits
            values |= {
                "pending_price_usd_cents": shown.pending_usd_cents,
                "pending_reason": shown.pending_reason,
            }
        return await _write(uow, product_id, values)


async def _item_storefront_price(uow: UnitOfWork, product: Any) -> int | None:
    """The price the storefront shows, or last showed, for the product's item under another
    product, the most recently published first; None when the item was never on sale. (The
    item's row is not locked: the valuation consumer locks items before products, a publish
    holds its product first, and two first publishes of one item at once are not worth a
    deadlock.)"""
    shown = func.coalesce(
        case((products.c.published, products.c.price_usd_cents)),
        products.c.last_published_price_usd_cents,
    )
    return await uow.conn.scalar(
        select(shown)
        .where(
            products.c.item_id == product.item_id,
            products.c.id != product.id,
            shown.is_not(None),
        )
        .order_by(products.c.published_at.desc().nulls_last())
        .limit(1)
    )


async def unpublish(rt: ServiceRuntime, principal: Principal, product_id: uuid.UUID) -> Any:
    """Remembers the price the storefront showed until now, for the next publish."""
    ensure_role(principal, Role.staff)
    async with rt.units.begin() as uow:
        product = await _locked(uow, product_id)
        values: dict[str, Any] = {"published": False}
        if product.published:
            values["last_published_price_usd_cents"] = product.price_usd_cents
        return await _write(uow, product_id, values)


async def _decide(
    rt: ServiceRuntime, principal: Principal, product_id: uuid.UUID, *, approve: bool
) -> Any:
    """An admin's decision on the price waiting: it becomes the price, or it is dropped."""
    ensure_role(principal, Role.admin)
    async with rt.units.begin() as uow:
        product = await _locked(uow, product_id)
        if product.pending_price_usd_cents is None:
            raise HTTPException(409, "no price is waiting for approval")
        kept = product.pending_price_usd_cents if approve else product.price_usd_cents
        return await _write(uow, product_id, price_columns(ProductPrice(kept)))


async def approve_price(rt: ServiceRuntime, principal: Principal, product_id: uuid.UUID) -> Any:
    return await _decide(rt, principal, product_id, approve=True)


async def reject_price(rt: ServiceRuntime, principal: Principal, product_id: uuid.UUID) -> Any:
    return await _decide(rt, principal, product_id, approve=False)

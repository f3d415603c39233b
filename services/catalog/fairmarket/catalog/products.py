"""Keeping products' prices on their policy as valuations arrive (the I/O around price_policy)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.catalog.db import products
from fairmarket.catalog.domain.price_policy import PricePolicy, needs_approval, policy_price


def proposed_price(row: Any, fmv_usd_cents: int | None, threshold_pct: float) -> dict[str, Any]:
    """The column values a product takes for an FMV: its price, or a price waiting approval."""
    policy = PricePolicy.model_validate(row.policy)
    price = policy_price(policy, fmv_usd_cents)
    if price is None or price == row.price_usd_cents:
        return {"pending_price_usd_cents": None, "pending_reason": None}
    if needs_approval(row.price_usd_cents, price, threshold_pct):
        change = (price - row.price_usd_cents) / row.price_usd_cents * 100
        return {
            "pending_price_usd_cents": price,
            "pending_reason": f"policy price moves {change:+.1f}%, over the "
            f"{threshold_pct:g}% that needs an admin's approval",
        }
    return {"price_usd_cents": price, "pending_price_usd_cents": None, "pending_reason": None}


async def follow_valuation(
    conn: AsyncConnection, item_id: uuid.UUID, fmv_usd_cents: int | None, threshold_pct: float
) -> int:
    """Re-price the item's products whose policy follows its valuation; how many changed."""
    rows = (
        await conn.execute(select(products).where(products.c.item_id == item_id).with_for_update())
    ).all()
    changed = 0
    for row in rows:
        if not PricePolicy.model_validate(row.policy).follow_valuation:
            continue
        values = proposed_price(row, fmv_usd_cents, threshold_pct)
        await conn.execute(
            update(products).where(products.c.id == row.id).values(**values, updated_at=func.now())
        )
        changed += "price_usd_cents" in values
    return changed

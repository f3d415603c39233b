"""Keeping products' prices on their policy as valuations arrive (the I/O around price_policy)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.catalog.db import products
from fairmarket.catalog.domain.price_policy import PricePolicy, ProductPrice, next_price
from fairmarket.catalog.metrics import BAD_ROWS_SKIPPED
from fairmarket.common.db import among


def price_columns(price: ProductPrice) -> dict[str, Any]:
    """The products columns that hold a `ProductPrice`: the one mapping every writer uses."""
    return {
        "price_usd_cents": price.price_usd_cents,
        "pending_price_usd_cents": price.pending_usd_cents,
        "pending_reason": price.pending_reason,
    }


async def follow_valuations(
    conn: AsyncConnection, fmvs: Sequence[tuple[uuid.UUID, int | None]], threshold_pct: float
) -> int:
    """Re-price the products whose policy follows their item's valuation, each FMV in turn
    (one SELECT for the batch, one UPDATE per product touched); how many prices changed."""
    item_ids = list(dict.fromkeys(item_id for item_id, _ in fmvs))
    rows = (
        await conn.execute(
            select(products).where(among(products.c.item_id, item_ids)).with_for_update()
        )
    ).all()
    following: dict[uuid.UUID, list[tuple[uuid.UUID, PricePolicy]]] = {}
    prices: dict[uuid.UUID, ProductPrice] = {}
    for row in rows:
        try:
            policy = PricePolicy.model_validate(row.policy)
        except ValidationError as exc:  # stored before the API refused it: skip and say why
            await _unpriceable(conn, row.id, str(exc.errors()[0].get("msg", "invalid")))
            continue
        if policy.follow_valuation:
            following.setdefault(row.item_id, []).append((row.id, policy))
            prices[row.id] = ProductPrice(row.price_usd_cents)
    changed = 0
    for item_id, fmv in fmvs:
        for product_id, policy in following.get(item_id, []):
            before = prices[product_id]
            prices[product_id] = next_price(policy, before.price_usd_cents, fmv, threshold_pct)
            changed += prices[product_id].price_usd_cents != before.price_usd_cents
    for product_id in prices:  # every product following one of these items has an FMV here
        await conn.execute(
            update(products)
            .where(products.c.id == product_id)
            .values(**price_columns(prices[product_id]), updated_at=func.now())
        )
    return changed


async def _unpriceable(conn: AsyncConnection, product_id: uuid.UUID, reason: str) -> None:
    """A product whose stored policy cannot be read keeps its price, with the reason shown."""
    await conn.execute(
        update(products)
        .where(products.c.id == product_id)
        .values(
            pending_price_usd_cents=None,
            pending_reason="policy cannot be evaluated: " + reason,
            updated_at=func.now(),
        )
    )
    BAD_ROWS_SKIPPED.labels("product").inc()

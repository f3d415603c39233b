"""Keeping products' prices on their policy as valuations arrive (the I/O around price_policy)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.catalog.db import products
from fairmarket.catalog.domain.price_policy import PricePolicy, needs_approval, policy_price
from fairmarket.catalog.metrics import BAD_ROWS_SKIPPED
from fairmarket.common.db import among


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


async def follow_valuations(
    conn: AsyncConnection, fmvs: Sequence[tuple[uuid.UUID, int | None]], threshold_pct: float
) -> int:
    """Re-price the products whose policy follows their item's valuation, each FMV in turn
    (one SELECT for the batch); how many prices changed."""
    item_ids = list(dict.fromkeys(item_id for item_id, _ in fmvs))
    rows = (
        await conn.execute(
            select(products).where(among(products.c.item_id, item_ids)).with_for_update()
        )
    ).all()
    by_item: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for row in rows:
        try:
            follows = PricePolicy.model_validate(row.policy).follow_valuation
        except ValidationError as exc:  # stored before the API refused it: skip and say why
            await conn.execute(
                update(products)
                .where(products.c.id == row.id)
                .values(
                    pending_price_usd_cents=None,
                    pending_reason="policy cannot be evaluated: "
                    + str(exc.errors()[0].get("msg", "invalid")),
                    updated_at=func.now(),
                )
            )
            BAD_ROWS_SKIPPED.labels("product").inc()
            continue
        if follows:
            by_item.setdefault(row.item_id, []).append(dict(row._mapping))
    changed = 0
    touched: dict[uuid.UUID, dict[str, Any]] = {}
    for item_id, fmv in fmvs:
        for product in by_item.get(item_id, []):
            values = proposed_price(SimpleNamespace(**product), fmv, threshold_pct)
            product.update(values)
            touched.setdefault(product["id"], {}).update(values)
            changed += "price_usd_cents" in values
    for product_id, values in touched.items():
        await conn.execute(
            update(products)
            .where(products.c.id == product_id)
            .values(**values, updated_at=func.now())
        )
    return changed

"""The storefront: published products only, no token, no internal fields."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel
from sqlalchemy import select

from fairmarket.catalog.api.deps import Runtime
from fairmarket.catalog.db import items, products
from fairmarket.common.inputs import text

router = APIRouter(prefix="/v1/storefront", tags=["storefront"])

CategoryText = text(20)


class StorefrontProduct(BaseModel):
    id: uuid.UUID
    title: str
    description: str | None
    category: str
    price_usd_cents: int
    currency: str = "USD"
    published_at: datetime


class StorefrontPage(BaseModel):
    products: list[StorefrontProduct]
    next_offset: int | None


def _query():  # type: ignore[no-untyped-def]
    return (
        select(
            products.c.id,
            products.c.title,
            products.c.description,
            items.c.category,
            products.c.price_usd_cents,
            products.c.published_at,
        )
        .join(items, items.c.id == products.c.item_id)
        .where(products.c.published.is_(True), products.c.price_usd_cents.is_not(None))
    )


@router.get("/products", response_model=StorefrontPage)
async def storefront_products(
    rt: Runtime,
    category: Annotated[CategoryText | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> StorefrontPage:
    query = _query().order_by(products.c.published_at.desc(), products.c.id)
    if category:
        query = query.where(items.c.category == category)
    async with rt.reader.connect() as conn:
        rows = (await conn.execute(query.limit(limit + 1).offset(offset))).all()
    return StorefrontPage(
        products=[StorefrontProduct.model_validate(r._asdict()) for r in rows[:limit]],
        next_offset=offset + limit if len(rows) > limit else None,
    )


@router.get("/products/{product_id}", response_model=StorefrontProduct)
async def storefront_product(product_id: uuid.UUID, rt: Runtime) -> StorefrontProduct:
    async with rt.reader.connect() as conn:
        row = (await conn.execute(_query().where(products.c.id == product_id))).one_or_none()
    if row is None:
        raise HTTPException(404, f"product {product_id} is not on the storefront")
    return StorefrontProduct.model_validate(row._asdict())

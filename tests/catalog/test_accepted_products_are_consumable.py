"""Whatever the product routes accept, re-pricing on a valuation can process: a property over
generated policies, hostile ones among them (issue 17; see accepted_inputs_support). An
accepted product follows any FMV to a price (and a price waiting) its bigint column holds."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from accepted_inputs_support import (
    NUMBER,
    PROPERTY,
    TEXT,
    accepted,
    an_item,
    poisoned,
    rolled_back,
    skips,
)
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from fairmarket.catalog.api.products import ProductIn
from fairmarket.catalog.db import products
from fairmarket.catalog.products import follow_valuations
from fairmarket.common.inputs import BIGINT_MAX

pytestmark = pytest.mark.integration


POLICY_FIELDS = ("markup", "ending_cents", "floor_usd_cents", "ceiling_usd_cents")
POLICIES = poisoned(
    {
        "kind": st.sampled_from(["markup", "fixed"]),
        "markup": st.floats(0.01, 100),
        "ending_cents": st.integers(0, 99) | st.none(),
        "floor_usd_cents": st.integers(0, 10**6),
        "ceiling_usd_cents": st.integers(10**6, 10**15),
        "fixed_usd_cents": st.integers(1, 10**15),
        "follow_valuation": st.booleans(),
    },
    {
        "kind": st.just("x"),
        **dict.fromkeys((*POLICY_FIELDS, "fixed_usd_cents"), NUMBER),
    },
    optional=(*POLICY_FIELDS, "follow_valuation"),
)


def test_every_accepted_product_is_repriced_by_valuations(
    engine: AsyncEngine, loop: asyncio.AbstractEventLoop
) -> None:
    run = rolled_back(engine, loop)

    @PROPERTY
    @given(
        policy=POLICIES,
        text=st.fixed_dictionaries({}, optional={"title": TEXT, "description": TEXT}),
        fmvs=st.lists(st.one_of(st.none(), st.integers(0, BIGINT_MAX)), min_size=1, max_size=3),
    )
    def prop(policy: dict[str, Any], text: dict[str, Any], fmvs: list[int | None]) -> None:
        before = skips()

        async def check(conn: AsyncConnection) -> None:
            item = await an_item(conn)
            product = accepted(ProductIn, {"item_id": str(item.id), "policy": policy, **text})
            if product is None:
                return
            product_id = uuid.uuid4()
            await conn.execute(
                products.insert().values(
                    id=product_id,
                    item_id=item.id,
                    title=product.title or "t",
                    description=product.description,
                    policy=product.policy.model_dump(mode="json"),
                    price_usd_cents=5_000,
                    created_by="property",
                )
            )
            await follow_valuations(conn, [(item.id, f) for f in fmvs], 20.0)
            row = (await conn.execute(select(products).where(products.c.id == product_id))).one()
            for price in (row.price_usd_cents, row.pending_price_usd_cents):
                assert price is None or 0 <= price <= BIGINT_MAX

        run(check)
        assert skips() == before

    prop()

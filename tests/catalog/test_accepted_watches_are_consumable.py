"""Whatever the watch routes accept, watch evaluation and the webhook sender can process: a
property over generated inputs, hostile ones among them (issue 17; see
accepted_inputs_support). An accepted watch is stored as the route stores it, evaluated on a
valuation, left enabled, and its URL pinned to the checked address as the sender posts it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from accepted_inputs_support import (
    GOOD_URL,
    NUMBER,
    PROPERTY,
    TEXT,
    URL,
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

from fairmarket.catalog.api.watches import WatchIn
from fairmarket.catalog.db import watches
from fairmarket.catalog.netguard import UnsafeUrl, check_url, pin
from fairmarket.catalog.watching import evaluate
from fairmarket.common.events import (
    CompsCounts,
    ConfidenceComponents,
    ValuationComputed,
    ValuationComputedData,
)
from fairmarket.common.inputs import BIGINT_MAX

pytestmark = pytest.mark.integration

ALLOWED = ["hooks.example.com"]  # as an admin allows a host: no DNS in this test


def valuation(item_id: uuid.UUID, fmv: int | None) -> ValuationComputed:
    return ValuationComputed(
        producer="valuation",
        data=ValuationComputedData(
            item_id=item_id,
            revision=1,
            version=1,
            method="fmv-test",
            as_of=datetime.now(UTC),
            fmv_usd_cents=fmv,
            comps=CompsCounts(total=1, used=1, outliers=0, filtered=0),
            sold_ratio=1.0,
            basis="sold",
            confidence=5,
            confidence_components=ConfidenceComponents(
                count=1, reputation=1, sold_ratio=1, spread=1, recency=1
            ),
            explanation="test",
            inputs_hash="h",
        ),
    )


KINDS = ["fmv_above", "fmv_below", "change_pct", "confidence_above"]
WATCHES = poisoned(
    {
        "condition": st.fixed_dictionaries(
            {"kind": st.sampled_from(KINDS), "value": st.floats(0, 1e15) | st.integers(0, 10**15)}
        ),
        "url": GOOD_URL,
        "category": st.sampled_from(["coin", "card"]),
        "query": st.text(min_size=1, max_size=30),
    },
    {
        "condition": st.fixed_dictionaries(
            {"kind": st.sampled_from([*KINDS, "other"]), "value": NUMBER}
        ),
        "url": URL,
        "category": st.sampled_from(["x", "", None]),
        "query": TEXT,
    },
    optional=("category", "query"),
)


def test_every_accepted_watch_is_evaluated_and_sent(
    engine: AsyncEngine, loop: asyncio.AbstractEventLoop
) -> None:
    run = rolled_back(engine, loop)

    @PROPERTY
    @given(body=WATCHES, fmv=st.one_of(st.none(), st.integers(0, BIGINT_MAX)))
    def prop(body: dict[str, Any], fmv: int | None) -> None:
        watch = accepted(WatchIn, body)
        if watch is None:
            return
        try:
            address = loop.run_until_complete(check_url(watch.url, ALLOWED))
        except UnsafeUrl:
            return  # the route's 422
        before = skips()

        async def check(conn: AsyncConnection) -> None:
            item = await an_item(conn)
            watch_id = uuid.uuid4()
            await conn.execute(
                watches.insert().values(
                    id=watch_id,
                    category=watch.category,
                    query=watch.query,
                    condition=watch.condition.model_dump(mode="json"),
                    url=watch.url,
                    secret="whsec_x",
                    created_by="property",
                )
            )
            await evaluate(conn, [valuation(item.id, fmv)])
            stored = (await conn.execute(select(watches).where(watches.c.id == watch_id))).one()
            assert stored.enabled, stored.disabled_reason
            url, host, _ = pin(stored.url, address)  # what the sender posts to
            httpx.Request("POST", url, headers=host)

        run(check)
        assert skips() == before

    prop()

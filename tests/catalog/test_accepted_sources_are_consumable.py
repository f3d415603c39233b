"""Whatever the source routes accept starts pricing runs whose requests the collector can read:
a property over generated rules, hostile ones among them (issue 17; see
accepted_inputs_support)."""

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
)
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from fairmarket.catalog.api.sources import SourceIn
from fairmarket.catalog.db import sources
from fairmarket.catalog.pricing import RunAsk, start_runs
from fairmarket.common.events import PricingRequested

pytestmark = pytest.mark.integration


RULES = poisoned(
    {
        "exclude_keywords": st.lists(st.text(max_size=30), max_size=3),
        "include_keywords": st.lists(st.text(max_size=30), max_size=3),
        "min_price_usd": st.decimals(0, 10**9, places=2).map(str),
        "max_price_usd": st.decimals(0, 10**12, places=2).map(str),
        "sold_only": st.booleans(),
        "lookback_days": st.integers(1, 3650),
        "max_results": st.integers(1, 10_000),
    },
    {
        "exclude_keywords": st.lists(TEXT, min_size=1, max_size=3),
        "include_keywords": st.lists(TEXT, min_size=1, max_size=3),
        "min_price_usd": NUMBER,
        "max_price_usd": NUMBER,
        "lookback_days": NUMBER,
        "max_results": NUMBER,
    },
    optional=("exclude_keywords", "include_keywords", "min_price_usd", "max_price_usd"),
)


def test_every_accepted_source_starts_runs_the_collector_can_read(
    engine: AsyncEngine, loop: asyncio.AbstractEventLoop
) -> None:
    run = rolled_back(engine, loop)

    @PROPERTY
    @given(
        rules=RULES,
        reputation=st.floats(0, 10) | NUMBER,
        rate=st.integers(1, 100_000) | NUMBER,
    )
    def prop(rules: dict[str, Any], reputation: Any, rate: Any) -> None:
        body = {
            "name": f"p-{uuid.uuid4().hex[:8]}",
            "adapter": "manual",
            "rules": rules,
            "reputation": reputation,
            "rate_limit_per_minute": rate,
        }
        source = accepted(SourceIn, body)
        if source is None:
            return

        async def check(conn: AsyncConnection) -> None:
            item = await an_item(conn)
            await conn.execute(
                sources.insert().values(id=uuid.uuid4(), **source.model_dump(mode="json"))
            )
            [(_, events)] = await start_runs(conn, [RunAsk(item, "reprice", "property")])
            mine = [e for e in events if e.data.source.name == source.name]
            assert mine
            for event in mine:  # what the collector's consumer parses
                PricingRequested.model_validate_json(event.model_dump_json())

        run(check)

    prop()

"""What the accepted-inputs properties share (issue 17): hostile values, a body poisoned in
one field, the route's own validation, a catalog database whose every example is rolled back,
and the count of rows a consumer had to skip.

Each test_accepted_*_are_consumable module takes a route's accepted inputs through the real
consumer code that reads them in production; the consumer must neither fail nor need its
skip-and-mark fallback. `FAIRMARKET_PROPERTY_EXAMPLES` (default 60) sets how many per route.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from prometheus_client import REGISTRY
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from fairmarket.catalog.db import items

EXAMPLES = int(os.environ.get("FAIRMARKET_PROPERTY_EXAMPLES", "60"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

NUL = st.tuples(st.text(max_size=6), st.text(max_size=6)).map(lambda p: f"{p[0]}\x00{p[1]}")
TEXT = st.one_of(
    st.text(max_size=40),
    NUL,
    st.text(min_size=190, max_size=600),
    st.sampled_from(["\ud800", "Infinity", "0001-01-01", "9999-12-31T23:59:59-12:00"]),
)
NUMBER = st.one_of(
    st.integers(),
    st.floats(),
    st.sampled_from([2**63, -(2**63) - 1, 10**30, "Infinity", "NaN", "1e309", None, "12"]),
)
HOSTS = ["8.8.8.8", "[2001:4860:4860::8888]", "hooks.example.com", "127.0.0.1", "[::7f00:1]"]
URL = st.one_of(
    st.builds(
        "{}://{}{}/{}".format,
        st.sampled_from(["http", "https", "ftp", "javascript"]),
        st.sampled_from([*HOSTS, "a..com", "a" * 64 + ".com", "[::1", "host\t"]),
        st.sampled_from(["", ":443", ":99999", ":-1", ":abc", ":0"]),
        st.text(max_size=20),
    ),
    TEXT,
)
GOOD_URL = st.builds(
    "{}://{}{}/{}".format,
    st.sampled_from(["http", "https"]),
    st.sampled_from(["8.8.8.8", "[2001:4860:4860::8888]", "hooks.example.com"]),
    st.sampled_from(["", ":8443"]),
    st.text(st.characters(codec="utf-8"), max_size=20),
)


@st.composite
def poisoned(
    draw: st.DrawFn,
    good: dict[str, st.SearchStrategy[Any]],
    bad: dict[str, st.SearchStrategy[Any]],
    optional: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A valid body with (three times in four) one field drawn from hostile values: many
    bodies are accepted and reach the consumer, and the hostile values that are accepted
    (a date just inside the range, a long but fitting text) are the edge cases."""
    body = {k: draw(v) for k, v in good.items() if k not in optional or draw(st.booleans())}
    if draw(st.integers(0, 3)):
        field = draw(st.sampled_from(sorted(bad)))
        body[field] = draw(bad[field])
    return body


def rolled_back(
    engine: AsyncEngine, loop: asyncio.AbstractEventLoop
) -> Callable[[Callable[[AsyncConnection], Awaitable[None]]], None]:
    def run(check: Callable[[AsyncConnection], Awaitable[None]]) -> None:
        async def inside() -> None:
            async with engine.connect() as conn:
                transaction = await conn.begin()
                try:
                    await check(conn)
                finally:
                    await transaction.rollback()

        loop.run_until_complete(inside())

    return run


def accepted(model: Any, body: Any) -> Any:
    """The route's own validation of the JSON body it receives, or None for a 4xx."""
    try:
        wire = json.loads(json.dumps(body))  # NaN and Infinity travel as Python's json does
        return model.model_validate(wire)
    except (ValidationError, ValueError):
        return None


def skips() -> float:
    return sum(
        REGISTRY.get_sample_value("fairmarket_catalog_bad_rows_skipped_total", {"kind": k}) or 0
        for k in ("watch", "product", "comp")
    ) + (REGISTRY.get_sample_value("fairmarket_valuation_bad_comps_total") or 0)


async def an_item(conn: AsyncConnection) -> Any:
    return (
        await conn.execute(
            items.insert()
            .values(
                id=uuid.uuid4(),
                category="coin",
                title="1921-D Morgan dollar",
                attribution={"category": "coin", "year": 1921},
                revision=1,
            )
            .returning(items)
        )
    ).one()

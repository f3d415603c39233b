"""Listing items through the API: every filter against real rows, and cursor pages that
neither skip nor repeat an item while new items keep arriving."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete

from fairmarket.catalog.db import items

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)


def row(n: int, **over: Any) -> dict[str, Any]:
    category = ("coin", "card", "record")[n % 3]
    attribution = {
        "coin": {"category": "coin", "year": 1900 + n, "grade": "MS63"},
        "card": {"category": "card", "name": "Charizard", "grade": "PSA 10", "year": 1999},
        "record": {"category": "record", "artist": "Pink Floyd", "media_grade": "VG+"},
    }[category]
    valued = n % 4 != 0
    return {
        "id": uuid.uuid4(),
        "category": category,
        "title": f"item {n} {category}",
        "attribution": attribution,
        "revision": 1,
        "valuation": {"version": 1} if valued else None,
        "valuation_version": 1 if valued else None,
        "fmv_usd_cents": n * 1_000 if valued else None,
        "confidence": (n % 10) + 1 if valued else None,
        "valued_at": NOW - timedelta(days=n) if valued else None,
        "created_at": NOW - timedelta(minutes=n),
        **over,
    }


@pytest.fixture
async def catalog(service_app: Any) -> Any:
    client = await service_app("catalog", FAIRMARKET_SCHEDULER_ENABLED="false")
    engine = client.app.state.runtime.engine
    async with engine.begin() as conn:
        await conn.execute(delete(items))
        await conn.execute(items.insert(), [row(n) for n in range(1, 41)])
    return client


async def ids(catalog: Any, bearer: Any, query: str) -> set[str]:
    r = await catalog.get(f"/v1/items?limit=500&{query}", headers=bearer("viewer"))
    assert r.status_code == 200, r.text
    return {i["title"] for i in r.json()["items"]}


def titles(ns: Any) -> set[str]:
    return {f"item {n} {('coin', 'card', 'record')[n % 3]}" for n in ns}


async def test_every_filter(catalog: Any, bearer: Any) -> None:
    every = range(1, 41)
    valued = [n for n in every if n % 4]
    assert await ids(catalog, bearer, "category=record") == titles(n for n in every if n % 3 == 2)
    assert await ids(catalog, bearer, "q=pink%20floyd") == titles(n for n in every if n % 3 == 2)
    assert await ids(catalog, bearer, "q=item%2012%20") == titles([12])
    assert await ids(catalog, bearer, "year=1903") == titles([3])
    assert await ids(catalog, bearer, "grade=psa%2010") == titles(n for n in every if n % 3 == 1)
    assert await ids(catalog, bearer, "min_fmv_usd_cents=30000") == titles(
        n for n in valued if n >= 30
    )
    assert await ids(catalog, bearer, "max_fmv_usd_cents=5000") == titles(
        n for n in valued if n <= 5
    )
    assert await ids(catalog, bearer, "min_confidence=9") == titles(
        n for n in valued if n % 10 + 1 >= 9
    )
    assert await ids(catalog, bearer, "has_valuation=false") == titles(
        n for n in every if not n % 4
    )
    since = (NOW - timedelta(days=30, hours=1)).isoformat().replace("+00:00", "Z")
    assert await ids(catalog, bearer, f"stale_since={since}") == titles(
        n for n in every if not n % 4 or n > 30
    )
    bad = await catalog.get("/v1/items?min_confidence=11", headers=bearer("viewer"))
    assert bad.status_code == 422 and "min_confidence" in bad.json()["reason"]
    worse = await catalog.get("/v1/items?cursor=garbage", headers=bearer("viewer"))
    assert worse.status_code == 400


@pytest.mark.parametrize("sort", ["created_at", "fmv", "updated_at"])
async def test_pages_neither_skip_nor_repeat_while_items_arrive(
    catalog: Any, bearer: Any, sort: str
) -> None:
    engine = catalog.app.state.runtime.engine
    seen: list[str] = []
    cursor = None
    arrivals = 0
    while True:
        query = f"/v1/items?limit=7&sort={sort}" + (f"&cursor={cursor}" if cursor else "")
        page = (await catalog.get(query, headers=bearer("viewer"))).json()
        seen += [i["title"] for i in page["items"]]
        async with engine.begin() as conn:  # a new item arrives between two pages
            arrivals += 1
            await conn.execute(
                items.insert().values(**row(100 + arrivals, title=f"new {arrivals}"))
            )
        if not (cursor := page["next_cursor"]):
            break
    originals = [t for t in seen if t.startswith("item ")]
    assert len(originals) == len(set(originals)) == 40  # every original exactly once
    assert len(seen) == len(set(seen))
    async with engine.begin() as conn:
        await conn.execute(delete(items).where(items.c.title.like("new %")))

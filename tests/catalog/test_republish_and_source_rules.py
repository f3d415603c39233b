"""Two ways around issue 17's rules, through the real catalog API, PostgreSQL and broker.

Staff could unpublish a product, change its policy (applied at once while unpublished)
and publish it again, or publish a second product of the same item at another price: the
storefront showed a price past the approval threshold that no admin approved. And a source whose rules were stored before the API checked them made
every pricing run fail; now only that source's request fails, with the reason.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from catalog_support import events_on, produce, take_in, valuation, valued
from prometheus_client import REGISTRY
from test_products_and_watches import CATALOG_ENV

from fairmarket.catalog.db import sources
from fairmarket.common.db import make_engine

pytestmark = pytest.mark.integration


async def storefront_price(catalog: Any, pid: str) -> int:
    r = await catalog.get(f"/v1/storefront/products/{pid}")
    assert r.status_code == 200, r.text
    return int(r.json()["price_usd_cents"])


async def test_staff_cannot_move_a_published_price_by_unpublishing_and_publishing_again(
    service_app: Any, bearer: Any, kafka_bootstrap: str
) -> None:
    catalog = await service_app("catalog", **CATALOG_ENV)
    item = await take_in(catalog, bearer, kafka_bootstrap)
    staff, admin = bearer("staff"), bearer("admin")
    pid = (await catalog.post("/v1/products", json={"item_id": str(item)}, headers=staff)).json()[
        "id"
    ]
    await produce(kafka_bootstrap, valuation(item, 1, 10_000, None))
    await valued(catalog, bearer, item, 1)
    assert (await catalog.post(f"/v1/products/{pid}/publish", headers=staff)).is_success
    assert await storefront_price(catalog, pid) == 10_099

    # the bypass: unpublish, double the markup (applied while unpublished), publish again
    assert (await catalog.post(f"/v1/products/{pid}/unpublish", headers=staff)).is_success
    patched = await catalog.patch(
        f"/v1/products/{pid}", json={"policy": {"markup": 2.0}}, headers=staff
    )
    assert patched.json()["price_usd_cents"] == 20_099
    republished = await catalog.post(f"/v1/products/{pid}/publish", headers=staff)
    assert republished.status_code == 200, republished.text
    body = republished.json()
    assert body["published"] is True
    assert (body["price_usd_cents"], body["pending_price_usd_cents"]) == (10_099, 20_099)
    assert "last published price" in body["pending_reason"]
    assert await storefront_price(catalog, pid) == 10_099
    queue = await catalog.get("/v1/products", params={"pending": "true"}, headers=bearer())
    assert pid in [p["id"] for p in queue.json()]

    # the admin approves it from the same queue: now the storefront shows it
    approved = await catalog.post(f"/v1/products/{pid}/approve-price", headers=admin)
    assert approved.json()["pending_price_usd_cents"] is None
    assert await storefront_price(catalog, pid) == 20_099

    # a move within the threshold of the last shown price applies on publish
    await catalog.post(f"/v1/products/{pid}/unpublish", headers=staff)
    await catalog.patch(
        f"/v1/products/{pid}",
        json={"policy": {"kind": "fixed", "fixed_usd_cents": 22_000}},
        headers=staff,
    )
    assert (await catalog.post(f"/v1/products/{pid}/publish", headers=staff)).is_success
    assert await storefront_price(catalog, pid) == 22_000

    # an admin's publish is an admin's approval: applied at once
    await catalog.post(f"/v1/products/{pid}/unpublish", headers=staff)
    await catalog.patch(f"/v1/products/{pid}", json={"policy": {"markup": 3.0}}, headers=staff)
    by_admin = await catalog.post(f"/v1/products/{pid}/publish", headers=admin)
    assert by_admin.json()["pending_price_usd_cents"] is None
    assert await storefront_price(catalog, pid) == 30_099


async def test_staff_cannot_move_an_items_price_with_a_second_product(
    service_app: Any, bearer: Any, kafka_bootstrap: str
) -> None:
    """A product never published is held to its item's storefront price: a second product of
    the same item at twice the price waits for an admin; one within the threshold does not."""
    catalog = await service_app("catalog", **CATALOG_ENV)
    item = await take_in(catalog, bearer, kafka_bootstrap)
    staff, admin = bearer("staff"), bearer("admin")

    async def product(policy: dict[str, Any]) -> str:
        body = {"item_id": str(item), "policy": policy}
        created = await catalog.post("/v1/products", json=body, headers=staff)
        assert created.status_code == 201, created.text
        return str(created.json()["id"])

    first = await product({"markup": 1.0})
    await produce(kafka_bootstrap, valuation(item, 1, 10_000, None))
    await valued(catalog, bearer, item, 1)
    assert (await catalog.post(f"/v1/products/{first}/publish", headers=staff)).is_success
    assert await storefront_price(catalog, first) == 10_099

    dearer = await product({"kind": "fixed", "fixed_usd_cents": 25_000})
    held = (await catalog.post(f"/v1/products/{dearer}/publish", headers=staff)).json()
    assert (held["price_usd_cents"], held["pending_price_usd_cents"]) == (10_099, 25_000)
    assert await storefront_price(catalog, dearer) == 10_099
    approved = await catalog.post(f"/v1/products/{dearer}/approve-price", headers=admin)
    assert approved.json()["price_usd_cents"] == 25_000

    near = await product({"kind": "fixed", "fixed_usd_cents": 26_000})  # +4% of 25,000
    assert (await catalog.post(f"/v1/products/{near}/publish", headers=staff)).is_success
    assert await storefront_price(catalog, near) == 26_000


def skipped_sources() -> float:
    value = REGISTRY.get_sample_value(
        "fairmarket_catalog_bad_rows_skipped_total", {"kind": "source"}
    )
    assert value is not None  # the series exists from the app's start
    return value


async def test_a_source_with_unreadable_stored_rules_fails_alone_and_the_run_goes_on(
    service_app: Any, bearer: Any, kafka_bootstrap: str, migrated_db: str
) -> None:
    catalog = await service_app("catalog", **CATALOG_ENV)
    item = await take_in(catalog, bearer, kafka_bootstrap)
    good, bad = f"good-{uuid.uuid4().hex[:8]}", f"bad-{uuid.uuid4().hex[:8]}"
    engine = make_engine(migrated_db, schema="catalog", pool_size=1)
    try:
        async with engine.begin() as conn:  # as an older release stored them
            for name, rules in ((good, {"lookback_days": 30}), (bad, {"lookback_days": 0})):
                await conn.execute(
                    sources.insert().values(
                        id=uuid.uuid4(), name=name, adapter="ebay", categories=[], rules=rules
                    )
                )
        await _run_with_a_bad_source(catalog, bearer, kafka_bootstrap, item, good, bad)
    finally:  # other tests' runs must not meet these sources
        async with engine.begin() as conn:
            await conn.execute(sources.delete().where(sources.c.name.in_([good, bad])))
        await engine.dispose()


async def _run_with_a_bad_source(
    catalog: Any, bearer: Any, kafka_bootstrap: str, item: uuid.UUID, good: str, bad: str
) -> None:
    before = skipped_sources()

    r = await catalog.post(
        f"/v1/items/{item}/pricing-runs", json={"sources": [good, bad]}, headers=bearer("staff")
    )
    assert r.status_code == 202, r.text
    run = r.json()
    by_source = {s["source"]: s for s in run["sources"]}
    assert by_source[good]["status"] == "pending" and by_source[good]["error"] is None
    assert by_source[bad]["status"] == "failed"
    assert by_source[bad]["error"].startswith("source rules cannot be read: lookback_days")
    assert skipped_sources() == before + 1

    # the good source is asked, and the bad one's failure reaches the valuation, both with
    # the run's full size, so the run is valued from what the good source collects
    [asked] = await events_on(
        kafka_bootstrap, "pricing.requested", lambda e: e["data"]["run_id"] == run["id"]
    )
    assert asked["data"]["source"]["name"] == good and asked["data"]["run_size"] == 2
    [failed] = await events_on(
        kafka_bootstrap, "pricing.completed", lambda e: e["data"]["run_id"] == run["id"]
    )
    assert failed["data"]["source"]["name"] == bad and failed["data"]["status"] == "failed"
    assert failed["data"]["run_size"] == 2

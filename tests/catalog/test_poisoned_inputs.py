"""Issue 17's findings against the catalog, through its real API, consumers and broker.

Each input below was accepted once and broke something far from where it came in.
Now the API refuses it with a 4xx and a reason; and a row stored before the API
refused it (written here straight to the table, as an older release stored it) is
skipped by the consumer, marked with the reason and counted, while every other item's
valuations keep flowing.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from catalog_support import produce, take_in, until, valuation, valued
from prometheus_client import REGISTRY
from sqlalchemy import select
from test_products_and_watches import CATALOG_ENV
from webhook_receiver import Receiver

from fairmarket.catalog.db import deliveries, products, watches
from fairmarket.common.db import make_engine
from fairmarket.common.events import PricePointCollected, PricePointCollectedData, SourceRef

pytestmark = pytest.mark.integration

NUL = "a\x00b"


def skipped(kind: str) -> float:
    return REGISTRY.get_sample_value("fairmarket_catalog_bad_rows_skipped_total", {"kind": kind})


def refused(r: httpx.Response, status: int = 422) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.text[:300])
    body = r.json()
    assert body["reason"] and body["error"], body
    return body


async def test_watch_inputs_that_broke_the_consumer_or_the_sender_are_refused(
    service_app: Any, bearer: Any
) -> None:
    catalog = await service_app("catalog", **CATALOG_ENV)
    base = {"category": "coin", "condition": {"kind": "fmv_above", "value": 1}}
    for value in ("Infinity", "-Infinity", "NaN", 1e300):
        body = {**base, "condition": {"kind": "confidence_above", "value": value}}
        body["url"] = "http://127.0.0.1:9/hook"
        refused(await catalog.post("/v1/watches", json=body, headers=bearer()))
    for url in (
        "http://host\t/a",
        "http://127.0.0.1:99999/a",
        "http://127.0.0.1:-1/a",
        "http://127.0.0.1:abc/a",
        "http://[::1/a",
        "http://" + "a" * 64 + ".com/a",
        "http://a..com/a",
        "http://[::127.0.0.1]/a",
        "http://[::7f00:1]/a",
        "http://[64:ff9b::127.0.0.1]/a",
        "http://[2002:7f00:1::]/a",
        f"http://{NUL}.example/a",
    ):
        refused(await catalog.post("/v1/watches", json={**base, "url": url}, headers=bearer()))
    body = {**base, "url": "http://127.0.0.1:9/hook", "query": f"morgan{NUL}"}
    refused(await catalog.post("/v1/watches", json=body, headers=bearer()))


async def test_a_stored_bad_watch_is_disabled_and_every_items_valuations_keep_flowing(
    service_app: Any, bearer: Any, kafka_bootstrap: str, migrated_db: str, receiver: Receiver
) -> None:
    catalog = await service_app("catalog", **CATALOG_ENV)
    first = await take_in(catalog, bearer, kafka_bootstrap)
    second = await take_in(catalog, bearer, kafka_bootstrap)
    good = (
        await catalog.post(
            "/v1/watches",
            json={
                "item_id": str(second),
                "condition": {"kind": "fmv_above", "value": 100},
                "url": receiver.url,
            },
            headers=bearer(),
        )
    ).json()
    receiver.secret = good["secret"]
    bad_condition, bad_url = uuid.uuid4(), uuid.uuid4()
    engine = make_engine(migrated_db, schema="catalog", pool_size=1)
    try:
        async with engine.begin() as conn:  # as the API stored them before this fix
            await conn.execute(
                watches.insert().values(
                    id=bad_condition,
                    category="coin",
                    condition={"kind": "confidence_above", "value": None},  # was "Infinity"
                    url=receiver.url,
                    secret="whsec_x",
                    created_by="attacker",
                )
            )
            await conn.execute(
                watches.insert().values(
                    id=bad_url,
                    item_id=first,
                    condition={"kind": "fmv_above", "value": 100},
                    url="http://host\t/a",
                    secret="whsec_y",
                    created_by="attacker",
                )
            )
        before = skipped("watch")
        await produce(kafka_bootstrap, valuation(first, 1, 17_000, None))
        await produce(kafka_bootstrap, valuation(second, 1, 18_000, None))
        await valued(catalog, bearer, first, 1)
        await valued(catalog, bearer, second, 1)

        w = (await catalog.get(f"/v1/watches/{bad_condition}", headers=bearer())).json()
        assert not w["enabled"]
        assert w["disabled_reason"].startswith("condition cannot be evaluated")
        assert skipped("watch") == before + 1

        # the good watch's delivery goes out although the bad URL's fails in the same rounds
        [got] = receiver.wait_for(1)
        assert got["body"]["watch_id"] == good["id"]

        async def failed_alone() -> Any:
            async with engine.connect() as conn:
                row = (
                    await conn.execute(select(deliveries).where(deliveries.c.watch_id == bad_url))
                ).one_or_none()
            return row if row is not None and row.attempts >= 1 else None

        row = await until(failed_alone)
        assert "not usable" in row.last_error and "whitespace" in row.last_error

        # and later valuations of both items still go through
        await produce(kafka_bootstrap, valuation(first, 2, 17_500, 17_000))
        await produce(kafka_bootstrap, valuation(second, 2, 18_500, 18_000))
        await valued(catalog, bearer, first, 2)
        await valued(catalog, bearer, second, 2)
    finally:
        await engine.dispose()


async def test_staff_cannot_apply_a_price_waiting_for_approval_with_a_patch(
    service_app: Any, bearer: Any, kafka_bootstrap: str
) -> None:
    catalog = await service_app("catalog", **CATALOG_ENV)
    item = await take_in(catalog, bearer, kafka_bootstrap)
    policy = {"markup": 1.0, "ending_cents": 99}
    pid = (
        await catalog.post(
            "/v1/products", json={"item_id": str(item), "policy": policy}, headers=bearer("staff")
        )
    ).json()["id"]
    await produce(kafka_bootstrap, valuation(item, 1, 10_000, None))
    await valued(catalog, bearer, item, 1)
    assert (await catalog.post(f"/v1/products/{pid}/publish", headers=bearer("staff"))).is_success
    await produce(kafka_bootstrap, valuation(item, 2, 24_280, 10_000))  # +142.8%
    await valued(catalog, bearer, item, 2)
    waiting = (await catalog.get(f"/v1/products/{pid}", headers=bearer("viewer"))).json()
    assert (waiting["price_usd_cents"], waiting["pending_price_usd_cents"]) == (10_099, 24_299)

    # the PATCH of the policy the product already has: the price still waits
    same = await catalog.patch(
        f"/v1/products/{pid}", json={"policy": policy}, headers=bearer("staff")
    )
    assert same.status_code == 200
    assert (same.json()["price_usd_cents"], same.json()["pending_price_usd_cents"]) == (
        10_099,
        24_299,
    )
    # nor does another policy moving the price past the threshold apply
    other = await catalog.patch(
        f"/v1/products/{pid}", json={"policy": {"markup": 2.0}}, headers=bearer("staff")
    )
    assert other.json()["price_usd_cents"] == 10_099
    assert other.json()["pending_price_usd_cents"] == 48_599
    assert "approval" in other.json()["pending_reason"]
    shown = (await catalog.get(f"/v1/storefront/products/{pid}")).json()
    assert shown["price_usd_cents"] == 10_099
    # a small move applies at once, as a valuation's does
    small = await catalog.patch(
        f"/v1/products/{pid}",
        json={"policy": {"kind": "fixed", "fixed_usd_cents": 11_000}},
        headers=bearer("staff"),
    )
    assert small.json()["price_usd_cents"] == 11_000
    assert small.json()["pending_price_usd_cents"] is None
    # an admin's change is an admin's approval
    admin = await catalog.patch(
        f"/v1/products/{pid}", json={"policy": policy}, headers=bearer("admin")
    )
    assert admin.json()["price_usd_cents"] == 24_299


async def test_a_stored_bad_policy_is_skipped_and_the_other_products_follow(
    service_app: Any, bearer: Any, kafka_bootstrap: str, migrated_db: str
) -> None:
    catalog = await service_app("catalog", **CATALOG_ENV)
    item = await take_in(catalog, bearer, kafka_bootstrap)
    good = (
        await catalog.post("/v1/products", json={"item_id": str(item)}, headers=bearer("staff"))
    ).json()["id"]
    bad = uuid.uuid4()
    engine = make_engine(migrated_db, schema="catalog", pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                products.insert().values(
                    id=bad,
                    item_id=item,
                    title="stored before the fix",
                    policy={"kind": "markup", "markup": None},
                    created_by="attacker",
                )
            )
        before = skipped("product")
        await produce(kafka_bootstrap, valuation(item, 1, 10_000, None))
        await valued(catalog, bearer, item, 1)
        assert (await catalog.get(f"/v1/products/{good}", headers=bearer())).json()[
            "price_usd_cents"
        ] == 10_099
        marked = (await catalog.get(f"/v1/products/{bad}", headers=bearer())).json()
        assert marked["pending_reason"].startswith("policy cannot be evaluated")
        assert skipped("product") == before + 1
    finally:
        await engine.dispose()


async def test_a_comp_dated_out_of_range_is_kept_filtered_and_its_item_still_served(
    service_app: Any, bearer: Any, kafka_bootstrap: str
) -> None:
    catalog = await service_app("catalog", **CATALOG_ENV)
    item = await take_in(catalog, bearer, kafka_bootstrap)
    before = skipped("comp")
    bad = PricePointCollected(
        producer="collector",
        data=PricePointCollectedData(
            price_point_id=uuid.uuid4(),
            item_id=item,
            revision=1,
            request_id=uuid.uuid4(),
            source=SourceRef(id=uuid.uuid4(), name="manual", adapter="manual"),
            kind="sold",
            title="dated year 1",
            price=Decimal("10"),
            currency="USD",
            total_usd_cents=1_000,
            observed_at=datetime(1, 1, 1, tzinfo=UTC),
            match_score=1.0,
            grade="g" * 300,
        ),
    )
    await produce(kafka_bootstrap, bad)

    async def stored() -> Any:
        r = await catalog.get(f"/v1/items/{item}/comps", headers=bearer("viewer"))
        return r.json() if r.status_code == 200 and r.json() else None

    [comp] = await until(stored)
    assert comp["filtered"] and "out of range" in comp["filtered_reason"]
    assert len(comp["grade"]) == 100
    assert skipped("comp") == before + 1
    # the item's next valuation is not held up behind it
    await produce(kafka_bootstrap, valuation(item, 1, 10_000, None))
    await valued(catalog, bearer, item, 1)


def cursor(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/items", {"q": NUL}),
        ("/v1/items", {"grade": NUL}),
        ("/v1/items", {"stale_since": "0001-01-01T00:00:00Z"}),
        ("/v1/items", {"stale_since": "9999-12-31T23:59:59-12:00"}),
        ("/v1/items", {"cursor": NUL}),
        ("/v1/items.csv", {"q": NUL}),
        ("/v1/storefront/products", {"category": NUL}),
    ],
)
async def test_nul_bytes_and_dates_out_of_range_in_queries_are_a_422(
    service_app: Any, bearer: Any, path: str, params: dict[str, str]
) -> None:
    catalog = await service_app("catalog", **CATALOG_ENV)
    refused(await catalog.get(path, params=params, headers=bearer("viewer")))


@pytest.mark.parametrize(
    ("sort", "payload"),
    [
        ("fmv", {"s": "fmv", "v": "abc", "id": str(uuid.uuid4())}),
        ("fmv", {"s": "fmv", "v": {"a": 1}, "id": str(uuid.uuid4())}),
        ("fmv", {"s": "fmv", "v": 10**30, "id": str(uuid.uuid4())}),
        ("confidence", {"s": "confidence", "v": True, "id": str(uuid.uuid4())}),
        ("title", {"s": "title", "v": 5, "id": str(uuid.uuid4())}),
        ("title", {"s": "title", "v": NUL, "id": str(uuid.uuid4())}),
        ("created_at", {"s": "created_at", "v": ["x"], "id": str(uuid.uuid4())}),
        ("created_at", {"s": "created_at", "v": "0001-01-01T00:00:00", "id": str(uuid.uuid4())}),
        ("created_at", {"s": "created_at", "v": None, "id": 7}),
        ("created_at", [1, 2]),
    ],
)
async def test_well_formed_but_wrong_cursors_are_a_400(
    service_app: Any, bearer: Any, sort: str, payload: Any
) -> None:
    catalog = await service_app("catalog", **CATALOG_ENV)
    r = await catalog.get(
        "/v1/items", params={"sort": sort, "cursor": cursor(payload)}, headers=bearer("viewer")
    )
    refused(r, 400)


async def test_nul_bytes_in_bodies_are_a_422_and_nothing_is_stored(
    service_app: Any, bearer: Any, kafka_bootstrap: str
) -> None:
    catalog = await service_app("catalog", **CATALOG_ENV)
    item = await take_in(catalog, bearer, kafka_bootstrap)
    for body in ({"title": NUL}, {"description": NUL}):
        refused(
            await catalog.post(
                "/v1/products", json={"item_id": str(item), **body}, headers=bearer("staff")
            )
        )
    listed = await catalog.get(f"/v1/products?item_id={item}", headers=bearer("viewer"))
    assert listed.json() == []
    name = f"nul-{uuid.uuid4().hex[:8]}"
    for rules in ({"exclude_keywords": [NUL]}, {"include_keywords": ["ok", "b\x00"]}):
        body = {"name": name, "adapter": "manual", "rules": rules}
        refused(await catalog.post("/v1/sources", json=body, headers=bearer()))
    assert name not in {
        s["name"] for s in (await catalog.get("/v1/sources", headers=bearer())).json()
    }
    flag = await catalog.put(
        f"/v1/items/{item}/comps/{uuid.uuid4()}/flag",
        json={"excluded": True, "reason": NUL},
        headers=bearer(),
    )
    refused(flag)


async def test_an_unexpected_error_is_a_500_in_the_error_shape(
    service_app: Any, bearer: Any
) -> None:
    """Every 5xx, the storefront's included, is the JSON error shape, not plain text."""
    catalog = await service_app("catalog", **CATALOG_ENV)
    app = catalog.app  # type: ignore[attr-defined]
    engine = app.state.runtime.reader

    def broken(*args: Any, **kwargs: Any) -> Any:  # engine.connect() is called, then entered
        raise RuntimeError("the database went away mid-request")

    app.state.runtime.reader = type("Broken", (), {"connect": broken})()
    try:
        plain = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            base_url="http://catalog",
        )
        async with plain:
            r = await plain.get("/v1/storefront/products")
    finally:
        app.state.runtime.reader = engine
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["error"] == "internal" and r.json()["reason"]

"""What staff and admins do through the catalog's API, over HTTP against the real app, its
PostgreSQL and the broker: flag a comp, edit a product and reject its price, start pricing
runs and follow them, re-price a source's items, and export CSV.

The catalog runs in-process with its consumers, relay and (where a test says) scheduler;
its neighbours' events are produced to the broker as those services would
(catalog_support.py), and the catalog's own events are read back from their topics.
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import pytest
from catalog_support import (
    comp,
    completed,
    events_on,
    produce,
    take_in,
    until,
    valuation,
    valued,
)

from fairmarket.common.events import PricePointFlagged, PricingRequested, RecordAttribution

pytestmark = pytest.mark.integration

QUIET = {"FAIRMARKET_SCHEDULER_ENABLED": "false"}


async def comps_of(catalog: Any, bearer: Any, item: uuid.UUID) -> dict[str, dict[str, Any]]:
    r = await catalog.get(f"/v1/items/{item}/comps", headers=bearer("viewer"))
    assert r.status_code == 200, r.text
    return {c["price_point_id"]: c for c in r.json()}


async def test_an_admin_flags_a_comp_with_a_reason_and_the_valuation_hears_of_it(
    service_app: Any, bearer: Any, kafka_bootstrap: str
) -> None:
    catalog = await service_app("catalog", **QUIET)
    item = await take_in(catalog, bearer, kafka_bootstrap)
    replica = comp(item, "1921-D Morgan dollar COPY replica", "12.00")
    pid = str(replica.data.price_point_id)
    await produce(kafka_bootstrap, replica)
    await until(lambda: _has(catalog, bearer, item, pid))
    flag = f"/v1/items/{item}/comps/{pid}/flag"

    no_reason = await catalog.put(flag, json={"excluded": True}, headers=bearer("admin"))
    assert no_reason.status_code == 422 and "why" in no_reason.json()["reason"]
    staff = await catalog.put(flag, json={"excluded": True, "reason": "x"}, headers=bearer("staff"))
    assert staff.status_code == 403
    elsewhere = f"/v1/items/{item}/comps/{uuid.uuid4()}/flag"
    missing = await catalog.put(elsewhere, json={"excluded": False}, headers=bearer("admin"))
    assert missing.status_code == 404

    body = {"excluded": True, "reason": "a replica, not the coin"}
    done = await catalog.put(flag, json=body, headers=bearer("admin", subject="ana"))
    assert done.status_code == 200, done.text
    shown = (await comps_of(catalog, bearer, item))[pid]
    assert (shown["excluded"], shown["excluded_reason"], shown["excluded_by"]) == (
        True,
        "a replica, not the coin",
        "ana",
    )
    [told] = await events_on(
        kafka_bootstrap, PricePointFlagged.topic, lambda e: e["data"]["price_point_id"] == pid
    )
    assert told["data"] == {
        "price_point_id": pid,
        "item_id": str(item),
        "excluded": True,
        "reason": "a replica, not the coin",
        "by": "ana",
    }

    await produce(kafka_bootstrap, replica)  # the collector sends the comp again (a replay)
    await produce(kafka_bootstrap, comp(item, "1921-D Morgan dollar MS63", "150.00"))
    await until(lambda: _count(catalog, bearer, item, 2))
    assert (await comps_of(catalog, bearer, item))[pid]["excluded"] is True  # kept

    restored = await catalog.put(flag, json={"excluded": False}, headers=bearer("admin"))
    assert restored.status_code == 200
    assert (await comps_of(catalog, bearer, item))[pid]["excluded"] is False
    both = await events_on(
        kafka_bootstrap, PricePointFlagged.topic, lambda e: e["data"]["price_point_id"] == pid, 2
    )
    assert [e["data"]["excluded"] for e in both] == [True, False]


async def _has(catalog: Any, bearer: Any, item: uuid.UUID, pid: str) -> bool:
    return pid in await comps_of(catalog, bearer, item)


async def _count(catalog: Any, bearer: Any, item: uuid.UUID, n: int) -> bool:
    return len(await comps_of(catalog, bearer, item)) >= n


async def test_patching_a_product_reprices_it_and_a_rejected_price_leaves_the_shop_as_it_was(
    service_app: Any, bearer: Any, kafka_bootstrap: str
) -> None:
    catalog = await service_app("catalog", **QUIET)
    item = await take_in(catalog, bearer, kafka_bootstrap)
    await produce(kafka_bootstrap, valuation(item, 1, 10_000, None))
    await valued(catalog, bearer, item, 1)
    created = await catalog.post(
        "/v1/products", json={"item_id": str(item)}, headers=bearer("staff")
    )
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    url = f"/v1/products/{pid}"
    assert created.json()["price_usd_cents"] == 10_099  # $100.00 x 1, up to .99

    retitled = await catalog.patch(url, json={"title": "Morgan 1921-D"}, headers=bearer("staff"))
    assert retitled.status_code == 200, retitled.text
    assert (retitled.json()["title"], retitled.json()["price_usd_cents"]) == (
        "Morgan 1921-D",
        10_099,
    )
    policy = {"markup": 1.5, "ending_cents": None}
    repriced = await catalog.patch(url, json={"policy": policy}, headers=bearer("staff"))
    assert repriced.json()["price_usd_cents"] == 15_000  # at once, from the item's FMV
    assert repriced.json()["policy"]["markup"] == 1.5
    fixed = {"kind": "fixed", "fixed_usd_cents": 12_345}
    pinned = await catalog.patch(url, json={"policy": fixed}, headers=bearer("staff"))
    assert pinned.json()["price_usd_cents"] == 12_345
    assert (await catalog.get(url, headers=bearer("viewer"))).json()["price_usd_cents"] == 12_345

    viewer = await catalog.patch(url, json={"title": "x"}, headers=bearer("viewer"))
    assert viewer.status_code == 403
    unknown = await catalog.patch(
        f"/v1/products/{uuid.uuid4()}", json={"title": "x"}, headers=bearer("staff")
    )
    assert unknown.status_code == 404
    extra = await catalog.patch(url, json={"price_usd_cents": 1}, headers=bearer("staff"))
    assert extra.status_code == 422
    assert (await catalog.get(url, headers=bearer("viewer"))).json()["price_usd_cents"] == 12_345

    await catalog.patch(url, json={"policy": {"markup": 1.0}}, headers=bearer("staff"))
    await catalog.post(f"{url}/publish", headers=bearer("staff"))
    await produce(kafka_bootstrap, valuation(item, 2, 20_000, 10_000))  # +100%: waits
    await valued(catalog, bearer, item, 2)
    waiting = (await catalog.get(url, headers=bearer("viewer"))).json()
    assert (waiting["price_usd_cents"], waiting["pending_price_usd_cents"]) == (10_099, 20_099)

    staff = await catalog.post(f"{url}/reject-price", headers=bearer("staff"))
    assert staff.status_code == 403
    rejected = await catalog.post(f"{url}/reject-price", headers=bearer("admin"))
    assert rejected.status_code == 200, rejected.text
    after = rejected.json()
    assert (after["price_usd_cents"], after["pending_price_usd_cents"]) == (10_099, None)
    assert after["pending_reason"] is None
    shop = await catalog.get(f"/v1/storefront/products/{pid}")
    assert shop.json()["price_usd_cents"] == 10_099
    pending = await catalog.get("/v1/products?pending=true", headers=bearer("viewer"))
    assert pid not in [p["id"] for p in pending.json()]
    again = await catalog.post(f"{url}/reject-price", headers=bearer("admin"))
    assert again.status_code == 409 and "no price is waiting" in again.json()["reason"]


async def test_a_pricing_run_asks_each_source_and_reports_what_came_back(
    service_app: Any, bearer: Any, kafka_bootstrap: str
) -> None:
    catalog = await service_app("catalog", **QUIET)
    item = await take_in(catalog, bearer, kafka_bootstrap)
    runs = f"/v1/items/{item}/pricing-runs"

    assert (await catalog.post(runs, headers=bearer("viewer"))).status_code == 403
    nowhere = await catalog.post(f"/v1/items/{uuid.uuid4()}/pricing-runs", headers=bearer("staff"))
    assert nowhere.status_code == 404
    nobody = await catalog.post(runs, json={"sources": ["no-such"]}, headers=bearer("staff"))
    assert nobody.status_code == 422 and "no enabled source" in nobody.json()["reason"]

    started = await catalog.post(
        runs, json={"sources": ["ebay"]}, headers=bearer("staff", subject="bo")
    )
    assert started.status_code == 202, started.text
    run = started.json()
    assert (run["item_id"], run["reason"], run["requested_by"]) == (str(item), "reprice", "bo")
    [(request, source, status)] = [
        (s["request_id"], s["source"], s["status"]) for s in run["sources"]
    ]
    assert (source, status) == ("ebay", "pending")
    [asked] = await events_on(
        kafka_bootstrap, PricingRequested.topic, lambda e: e["data"]["request_id"] == request
    )
    assert (asked["data"]["run_id"], asked["data"]["item_id"]) == (run["id"], str(item))
    assert asked["data"]["source"]["name"] == "ebay"

    await produce(kafka_bootstrap, completed(item, run["id"], request, collected=7, filtered=2))

    async def reported() -> dict[str, Any] | None:
        got = (await catalog.get(f"/v1/pricing-runs/{run['id']}", headers=bearer("viewer"))).json()
        return got if got["sources"][0]["status"] != "pending" else None

    [back] = (await until(reported))["sources"]
    assert (back["status"], back["collected"], back["filtered"]) == ("ok", 7, 2)
    assert back["completed_at"] and back["error"] is None
    gone = await catalog.get(f"/v1/pricing-runs/{uuid.uuid4()}", headers=bearer("viewer"))
    assert gone.status_code == 404


async def test_repricing_a_source_reprices_the_items_it_serves_and_no_others(
    service_app: Any, bearer: Any, kafka_bootstrap: str
) -> None:
    catalog = await service_app(
        "catalog",
        FAIRMARKET_SCHEDULER_ENABLED="true",
        FAIRMARKET_SCHEDULER_INTERVAL_SECONDS="0.2",
    )
    name = f"records-{uuid.uuid4().hex[:6]}"
    made = await catalog.post(
        "/v1/sources",
        json={"name": name, "adapter": "discogs", "categories": ["record"]},
        headers=bearer("admin"),
    )
    assert made.status_code == 201, made.text
    source = made.json()["id"]
    record = await take_in(
        catalog,
        bearer,
        kafka_bootstrap,
        RecordAttribution(artist="Pink Floyd", title="The Dark Side of the Moon"),
        "Pink Floyd - The Dark Side of the Moon",
    )
    coin = await take_in(catalog, bearer, kafka_bootstrap)

    async def requests(item: uuid.UUID) -> dict[str, str]:
        body = (await catalog.get(f"/v1/items/{item}", headers=bearer("viewer"))).json()
        return {r["source"]: r["request_id"] for r in body["latest_runs"]}

    async def asked_everyone() -> tuple[dict[str, str], dict[str, str]] | None:
        r, c = await requests(record), await requests(coin)
        return (r, c) if set(r) == {"ebay", name} and set(c) == {"ebay"} else None

    record_before, coin_before = await until(asked_everyone)

    assert (
        await catalog.post(f"/v1/sources/{source}/reprice", headers=bearer("staff"))
    ).status_code == 403
    missing = await catalog.post(f"/v1/sources/{uuid.uuid4()}/reprice", headers=bearer("admin"))
    assert missing.status_code == 404
    asked = await catalog.post(f"/v1/sources/{source}/reprice", headers=bearer("admin"))
    assert asked.status_code == 202, asked.text
    assert asked.json() == {"source": name, "items": 1}  # the one record of this database

    async def repriced() -> dict[str, str] | None:
        now = await requests(record)
        return now if now[name] != record_before[name] else None

    record_after = await until(repriced)
    assert record_after["ebay"] == record_before["ebay"]  # only the source asked for
    assert await requests(coin) == coin_before


async def test_items_and_comps_export_as_csv_with_the_filters_and_no_formulas(
    service_app: Any, bearer: Any, kafka_bootstrap: str
) -> None:
    catalog = await service_app("catalog", **QUIET)
    coin = await take_in(catalog, bearer, kafka_bootstrap)
    record = await take_in(
        catalog, bearer, kafka_bootstrap, RecordAttribution(artist="Can", title="Tago Mago")
    )
    await produce(kafka_bootstrap, valuation(coin, 1, 17_213, None))
    await valued(catalog, bearer, coin, 1)
    hostile = comp(coin, '=HYPERLINK("http://evil.example","1921-D Morgan")', "99.50")
    plain = comp(coin, "1921-D Morgan dollar MS63", "150.00")
    await produce(kafka_bootstrap, hostile, plain)
    await until(lambda: _count(catalog, bearer, coin, 2))

    items = await catalog.get("/v1/items.csv?category=coin", headers=bearer("viewer"))
    assert items.status_code == 200 and items.headers["content-type"].startswith("text/csv")
    assert 'filename="items.csv"' in items.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(items.text)))
    assert list(rows[0]) == [
        "id",
        "category",
        "title",
        "revision",
        "attribution",
        "fmv_usd",
        "p10_usd",
        "p90_usd",
        "confidence",
        "valuation_version",
        "explanation",
    ]
    by_id = {r["id"]: r for r in rows}
    assert str(record) not in by_id and {r["category"] for r in rows} == {"coin"}
    row = by_id[str(coin)]
    assert (row["fmv_usd"], row["p10_usd"], row["p90_usd"]) == ("172.13", "154.91", "189.34")
    assert (row["confidence"], row["valuation_version"]) == ("8", "1")
    assert "year=1921" in row["attribution"] and "mintmark=D" in row["attribution"]
    assert (await catalog.get("/v1/items.csv")).status_code == 401

    comps = await catalog.get(f"/v1/items/{coin}/comps.csv", headers=bearer("viewer"))
    assert comps.status_code == 200 and comps.headers["content-type"].startswith("text/csv")
    lines = {r["price_point_id"]: r for r in csv.DictReader(io.StringIO(comps.text))}
    assert set(lines) == {str(hostile.data.price_point_id), str(plain.data.price_point_id)}
    cell = lines[str(hostile.data.price_point_id)]
    assert cell["title"].startswith("'=HYPERLINK")  # a spreadsheet shows it, does not run it
    assert (cell["price"], cell["total_usd_cents"], cell["excluded"]) == ("99.50", "9950", "False")
    none = await catalog.get(f"/v1/items/{record}/comps.csv", headers=bearer("viewer"))
    assert none.text.splitlines() == [",".join(csv_header(comps.text))]


def csv_header(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text)))

"""Products, the storefront and watches, driven by real events through the broker.

The catalog runs in-process with its consumers; intake's and valuation's events
are produced to the real broker as those services would; webhooks go over real
HTTP to a receiver that checks every signature.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from catalog_support import produce, take_in, until, valuation, valued
from webhook_receiver import Receiver

pytestmark = pytest.mark.integration

CATALOG_ENV = {
    "FAIRMARKET_WEBHOOK_ALLOWED_HOSTS": '["127.0.0.1"]',
    "FAIRMARKET_WEBHOOK_BACKOFF_SECONDS": "0.05",
    "FAIRMARKET_WEBHOOK_POLL_SECONDS": "0.05",
    "FAIRMARKET_WEBHOOK_MAX_ATTEMPTS": "3",
    "FAIRMARKET_WEBHOOK_DISABLE_AFTER": "1",
    "FAIRMARKET_SCHEDULER_ENABLED": "false",
}


async def test_a_product_follows_its_policy_and_big_moves_wait_for_approval(
    service_app: Any, bearer: Any, kafka_bootstrap: str
) -> None:
    catalog = await service_app("catalog", **CATALOG_ENV)
    item = await take_in(catalog, bearer, kafka_bootstrap)
    policy = {"markup": 1.2, "ending_cents": 99, "floor_usd_cents": 10_000}
    created = await catalog.post(
        "/v1/products", json={"item_id": str(item), "policy": policy}, headers=bearer("staff")
    )
    assert created.status_code == 201, created.text
    product = created.json()
    assert product["price_usd_cents"] is None  # no valuation yet
    pid = product["id"]
    refused = await catalog.post(f"/v1/products/{pid}/publish", headers=bearer("staff"))
    assert refused.status_code == 409 and "no price" in refused.json()["reason"]

    await produce(kafka_bootstrap, valuation(item, 1, 17_213, None))
    await valued(catalog, bearer, item, 1)
    current = (await catalog.get(f"/v1/products/{pid}", headers=bearer("viewer"))).json()
    assert current["price_usd_cents"] == 20_699  # 172.13 x 1.2 = 206.56 -> 206.99

    published = await catalog.post(f"/v1/products/{pid}/publish", headers=bearer("staff"))
    assert published.status_code == 200 and published.json()["published"]
    shop = await catalog.get("/v1/storefront/products")  # no token
    assert shop.status_code == 200
    [shown] = [p for p in shop.json()["products"] if p["id"] == pid]
    assert shown["price_usd_cents"] == 20_699
    assert "policy" not in shown and "created_by" not in shown and "item_id" not in shown

    first = await catalog.get(f"/v1/items/{item}", headers=bearer("viewer"))
    tag = first.headers["etag"]
    same = await catalog.get(
        f"/v1/items/{item}", headers={**bearer("viewer"), "If-None-Match": tag}
    )
    assert same.status_code == 304 and same.headers["etag"] == tag and not same.content

    await produce(kafka_bootstrap, valuation(item, 2, 17_900, 17_213))  # +4%: follows
    await valued(catalog, bearer, item, 2)
    moved = await catalog.get(
        f"/v1/items/{item}", headers={**bearer("viewer"), "If-None-Match": tag}
    )
    assert moved.status_code == 200 and moved.headers["etag"] != tag
    small = (await catalog.get(f"/v1/products/{pid}", headers=bearer("viewer"))).json()
    assert small["price_usd_cents"] == 21_499 and small["pending_price_usd_cents"] is None

    await produce(kafka_bootstrap, valuation(item, 3, 30_000, 17_900))  # +67%: waits
    await valued(catalog, bearer, item, 3)
    big = (await catalog.get(f"/v1/products/{pid}", headers=bearer("viewer"))).json()
    assert big["price_usd_cents"] == 21_499 and big["pending_price_usd_cents"] == 36_099
    assert "approval" in big["pending_reason"]
    shown = (await catalog.get(f"/v1/storefront/products/{pid}")).json()
    assert shown["price_usd_cents"] == 21_499  # the storefront keeps the approved price
    waiting = await catalog.get("/v1/products?pending=true", headers=bearer("viewer"))
    assert [p["id"] for p in waiting.json()] == [pid]

    no = await catalog.post(f"/v1/products/{pid}/approve-price", headers=bearer("staff"))
    assert no.status_code == 403
    yes = await catalog.post(f"/v1/products/{pid}/approve-price", headers=bearer("admin"))
    assert yes.json()["price_usd_cents"] == 36_099
    assert (await catalog.get(f"/v1/storefront/products/{pid}")).json()["price_usd_cents"] == 36_099

    await catalog.post(f"/v1/products/{pid}/unpublish", headers=bearer("staff"))
    assert (await catalog.get(f"/v1/storefront/products/{pid}")).status_code == 404


async def test_a_watch_fires_signed_once_per_edge_and_retries_a_failing_receiver(
    service_app: Any, bearer: Any, kafka_bootstrap: str, receiver: Receiver
) -> None:
    catalog = await service_app("catalog", **CATALOG_ENV)
    item = await take_in(catalog, bearer, kafka_bootstrap)
    body = {
        "item_id": str(item),
        "condition": {"kind": "fmv_above", "value": 20_000},
        "url": receiver.url,
    }
    assert (
        await catalog.post("/v1/watches", json=body, headers=bearer("staff"))
    ).status_code == 403
    created = await catalog.post("/v1/watches", json=body, headers=bearer("admin"))
    assert created.status_code == 201, created.text
    watch = created.json()
    assert watch["secret"].startswith("whsec_")
    assert (
        "secret" not in (await catalog.get(f"/v1/watches/{watch['id']}", headers=bearer())).json()
    )
    receiver.secret = watch["secret"]
    receiver.fail_first = 1

    # below, above (fires), above again (no repeat), below, above (fires again)
    fmvs = [15_000, 21_000, 22_000, 19_000, 25_000]
    previous = None
    for version, fmv in enumerate(fmvs, start=1):
        await produce(kafka_bootstrap, valuation(item, version, fmv, previous))
        await valued(catalog, bearer, item, version)
        previous = fmv
    got = receiver.wait_for(2)
    assert [g["body"]["valuation"]["fmv_usd_cents"] for g in got] == [21_000, 25_000]
    assert not receiver.refused  # every signature verified
    assert receiver.attempts == 3  # the first delivery failed once, then was retried

    log = await catalog.get(f"/v1/watches/{watch['id']}/deliveries", headers=bearer())
    entries = log.json()
    assert [(d["status"], d["attempts"]) for d in reversed(entries)] == [
        ("delivered", 2),
        ("delivered", 1),
    ]


async def test_private_urls_are_refused_and_a_dead_receiver_disables_the_watch(
    service_app: Any, bearer: Any, kafka_bootstrap: str, receiver: Receiver
) -> None:
    catalog = await service_app("catalog", **CATALOG_ENV)
    inside = {
        "category": "coin",
        "condition": {"kind": "confidence_above", "value": 5},
        "url": "http://169.254.169.254/latest/meta-data/",
    }
    refused = await catalog.post("/v1/watches", json=inside, headers=bearer())
    assert refused.status_code == 422 and "link-local" in refused.json()["reason"]

    item = await take_in(catalog, bearer, kafka_bootstrap)
    receiver.fail_first = 1_000
    body = {**inside, "url": receiver.url, "query": "morgan"}
    watch = (await catalog.post("/v1/watches", json=body, headers=bearer())).json()
    receiver.secret = watch["secret"]
    await produce(kafka_bootstrap, valuation(item, 1, 17_000, None))

    async def disabled() -> Any:
        w = (await catalog.get(f"/v1/watches/{watch['id']}", headers=bearer())).json()
        return w if not w["enabled"] else None

    w = await until(disabled)
    assert "1 deliveries in a row failed" in w["disabled_reason"]
    [dead] = (await catalog.get(f"/v1/watches/{watch['id']}/deliveries", headers=bearer())).json()
    assert (dead["status"], dead["attempts"], dead["last_status_code"]) == ("dead", 3, 500)


async def _sender_with_watch(
    migrated_db: str, receiver: Receiver, *, enabled: bool, deliveries_due: int, **settings: Any
) -> tuple[Any, uuid.UUID, list[uuid.UUID]]:
    """A WebhookSender on the catalog schema, one watch to the receiver and its due deliveries."""
    import httpx

    from fairmarket.catalog.db import deliveries, watches
    from fairmarket.catalog.settings import CatalogSettings
    from fairmarket.catalog.webhooks import WebhookSender
    from fairmarket.common.db import make_engine

    engine = make_engine(migrated_db, schema="catalog", pool_size=2)
    watch, ids = uuid.uuid4(), [uuid.uuid4() for _ in range(deliveries_due)]
    receiver.secret = "whsec_test"
    async with engine.begin() as conn:
        await conn.execute(
            watches.insert().values(
                id=watch,
                condition={"kind": "fmv_above", "value": 1},
                url=receiver.url,
                secret=receiver.secret,
                enabled=enabled,
                created_by="tester",
            )
        )
        for i in ids:
            await conn.execute(
                deliveries.insert().values(
                    id=i, watch_id=watch, item_id=uuid.uuid4(), payload={"delivery": str(i)}
                )
            )
    config = CatalogSettings(
        jwt_secret="x" * 32,  # type: ignore[arg-type]
        database_url=migrated_db,
        webhook_allowed_hosts=["127.0.0.1"],
        **settings,
    )
    return WebhookSender(engine, config, httpx.AsyncClient(timeout=5)), watch, ids


async def test_a_disabled_watchs_pending_deliveries_are_not_sent(
    migrated_db: str, receiver: Receiver
) -> None:
    from sqlalchemy import select

    from fairmarket.catalog.db import deliveries

    sender, _, ids = await _sender_with_watch(
        migrated_db, receiver, enabled=False, deliveries_due=2
    )
    try:
        await sender.send_due(limit=1_000)
        assert receiver.attempts == 0
        async with sender.engine.connect() as conn:
            rows = (await conn.execute(select(deliveries).where(deliveries.c.id.in_(ids)))).all()
        assert {(r.status, r.attempts) for r in rows} == {("pending", 0)}  # they wait
    finally:
        await sender.client.aclose()
        await sender.engine.dispose()


async def test_deliveries_of_one_watch_dying_in_one_round_each_count_and_disable_it(
    migrated_db: str, receiver: Receiver
) -> None:
    from sqlalchemy import select

    from fairmarket.catalog.db import watches

    receiver.fail_first = 1_000
    sender, watch, _ = await _sender_with_watch(
        migrated_db,
        receiver,
        enabled=True,
        deliveries_due=3,
        webhook_max_attempts=1,
        webhook_disable_after=3,
    )
    try:
        await sender.send_due(limit=1_000)
        assert receiver.attempts == 3
        async with sender.engine.connect() as conn:
            w = (await conn.execute(select(watches).where(watches.c.id == watch))).one()
        assert w.consecutive_failures == 3  # not 1 from the row read before the round
        assert not w.enabled and "3 deliveries in a row failed" in w.disabled_reason
    finally:
        await sender.client.aclose()
        await sender.engine.dispose()


async def test_the_item_and_its_valuations_show_the_likely_range(
    service_app: Any, bearer: Any, kafka_bootstrap: str
) -> None:
    """fmv_low/fmv_high (fmv-2026.12.1 on) are kept with the valuation as sent."""
    catalog = await service_app("catalog", **CATALOG_ENV)
    item = await take_in(catalog, bearer, kafka_bootstrap)
    event = valuation(item, 1, 40_000, None)
    ranged = event.data.model_copy(
        update={"fmv_low_usd_cents": 36_000, "fmv_high_usd_cents": 47_000}
    )
    await produce(kafka_bootstrap, event.model_copy(update={"data": ranged}))
    await valued(catalog, bearer, item, 1)
    shown = (await catalog.get(f"/v1/items/{item}", headers=bearer("viewer"))).json()["valuation"]
    assert (shown["fmv_low_usd_cents"], shown["fmv_high_usd_cents"]) == (36_000, 47_000)
    history = await catalog.get(f"/v1/items/{item}/valuations", headers=bearer("viewer"))
    assert history.json()[0]["valuation"]["fmv_high_usd_cents"] == 47_000

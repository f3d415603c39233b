"""The collector service against the sandbox marketplace over real HTTP, a real broker and DB."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from request_support import ebay_at, morgan_on_ebay, pricing_requested, send
from sqlalchemy import func, select

from fairmarket.collector.db import jobs, price_points

pytestmark = pytest.mark.integration


async def wait_for_job(client: Any, bearer: Any, request_id: uuid.UUID) -> dict[str, Any]:
    async with asyncio.timeout(60):
        while True:
            r = await client.get(f"/v1/jobs/{request_id}", headers=bearer("viewer"))
            if r.status_code == 200:
                return r.json()
            await asyncio.sleep(0.1)


async def test_collects_replays_and_imports(
    service_app: Any, bearer: Any, kafka_bootstrap: str, sandbox: str
) -> None:
    collector = await service_app("collector", **ebay_at(sandbox))
    item = uuid.uuid4()
    event = morgan_on_ebay(item_id=item)
    await send(kafka_bootstrap, event)

    job = await wait_for_job(collector, bearer, event.data.request_id)
    assert job["status"] == "ok" and job["collected"] == 60
    assert 0 < job["filtered"] < job["collected"]  # junk and other mintmarks, kept and flagged
    called = [x["url"].rsplit("/", 1)[-1] for x in job["exchanges"]]
    assert called[-1] == "search" and set(called) <= {"token", "search"}  # a token is reused
    assert all("secret" not in str(x) for x in job["exchanges"])

    engine = collector.app.state.runtime.engine
    async with engine.connect() as conn:
        stored = await conn.scalar(
            select(func.count()).select_from(price_points).where(price_points.c.item_id == item)
        )
    assert stored == 60

    from fairmarket.collector.replay import replay

    state, units = collector.app.state.collector, collector.app.state.runtime.units
    async with units.begin() as uow:
        report = await replay(uow, event.data.request_id, state.rates, state.adapters)
    assert report.price_points == 60 and report.changed == 0 and uow.written == 0

    csv = (
        "title,price,currency,date,shipping,format,bids\n"
        "Heritage lot 3001 1921-D Morgan MS63 PCGS,205,USD,2026-10-02,0,auction,14\n"
        "Show sale 1921-D Morgan MS63,180.50,USD,2026-10-05,,fixed_price,\n"
    )
    bad = await collector.post(
        f"/v1/imports?item_id={item}",
        content=csv + "oops,abc,USD,2026-10-05,,,\n",
        headers={**bearer("staff"), "content-type": "text/csv"},
    )
    assert bad.status_code == 422 and "line 4: price 'abc'" in bad.json()["reason"]
    unknown = await collector.post(
        f"/v1/imports?item_id={uuid.uuid4()}",
        content=csv,
        headers={**bearer("staff"), "content-type": "text/csv"},
    )
    assert unknown.status_code == 422 and "not known" in unknown.json()["reason"]
    viewer = await collector.post(
        f"/v1/imports?item_id={item}", content=csv, headers=bearer("viewer")
    )
    assert viewer.status_code == 403
    ok = await collector.post(
        f"/v1/imports?item_id={item}",
        content=csv,
        headers={**bearer("staff"), "content-type": "text/csv"},
    )
    assert ok.status_code == 201, ok.text
    assert ok.json() == {"rows": 2, "items": {str(item): 2}}
    async with engine.connect() as conn:
        manual = await conn.scalar(
            select(func.count())
            .select_from(jobs)
            .where(jobs.c.item_id == item, jobs.c.adapter == "manual")
        )
    assert manual == 1


async def test_every_adapter_collects_from_the_sandbox_and_replays_the_same_points(
    service_app: Any, bearer: Any, kafka_bootstrap: str, sandbox: str
) -> None:
    from fairmarket.cli.stack import sandbox_marketplaces
    from fairmarket.collector.replay import replay
    from fairmarket.common.events import CardAttribution, ProductAttribution, RecordAttribution

    collector = await service_app("collector", **sandbox_marketplaces(sandbox))
    coffee = ProductAttribution(
        brand="Onyx Coffee Lab", name="Geometry Whole Bean Coffee", variant="250g"
    )
    events = {
        "discogs": pricing_requested(
            RecordAttribution(
                artist="Pink Floyd",
                title="The Dark Side of the Moon",
                catalog_number="SHVL 804",
                media_grade="VG+",
            ),
            "discogs",
        ),
        "tcgplayer": pricing_requested(
            CardAttribution(game="Pokemon", name="Charizard", number="4/102", variant="Holo"),
            "tcgplayer",
        ),
        "shopify": pricing_requested(coffee, "shopify", source="sandbox-shopify"),
        "woocommerce": pricing_requested(coffee, "woocommerce", source="sandbox-woocommerce"),
    }
    await send(kafka_bootstrap, *events.values())

    state, units = collector.app.state.collector, collector.app.state.runtime.units
    kinds: dict[str, set[str]] = {}
    for name, event in events.items():
        job = await wait_for_job(collector, bearer, event.data.request_id)
        assert job["status"] == "ok" and job["collected"] > 0, (name, job)
        async with units.begin() as uow:
            payloads = (
                await uow.conn.scalars(
                    select(price_points.c.payload).where(
                        price_points.c.request_id == event.data.request_id
                    )
                )
            ).all()
            report = await replay(uow, event.data.request_id, state.rates, state.adapters)
        kinds[name] = {p["kind"] for p in payloads}
        assert all(p["raw_artifact_id"] and p["total_usd_cents"] > 0 for p in payloads)
        assert (report.price_points, report.changed, uow.written) == (len(payloads), 0, 0)
    assert kinds == {
        "discogs": {"ask", "guide"},  # never "sold": Discogs has no sales API
        "tcgplayer": {"guide"},
        "shopify": {"ask"},
        "woocommerce": {"ask"},
    }


async def test_token_answers_are_stored_without_the_tokens(
    marketplace: Any, migrated_db: str
) -> None:
    """The exchange log is kept at rest: the token POST stays in it, its tokens do not."""
    from marketplace_server import Reply

    from fairmarket.collector.adapters.ebay import BROWSE
    from fairmarket.collector.bootstrap import bootstrap
    from fairmarket.collector.db import exchanges, raw_artifacts
    from fairmarket.collector.settings import CollectorSettings

    issued = [f"v^1.1#i^1#r^0#{uuid.uuid4().hex}" for _ in range(2)]
    tokens = iter(issued)
    marketplace.on(
        "POST",
        "/identity/v1/oauth2/token",
        lambda seen: Reply(
            200,
            {
                "access_token": next(tokens),
                "expires_in": 7200,
                "refresh_token": "never-stored",
                "token_type": "Application Access Token",
            },
        ),
    )
    sale = {
        "itemId": "v1|1|0",
        "title": "1921-D Morgan Dollar MS63 PCGS",
        "price": {"value": "171.00", "currency": "USD"},
    }
    marketplace.on(
        "GET",
        BROWSE,
        [Reply(401, {"errors": [{"errorId": 1001}]}), Reply(200, {"itemSummaries": [sale]})],
    )
    event = morgan_on_ebay()
    service = bootstrap(
        CollectorSettings(
            jwt_secret="x" * 32,
            database_url=migrated_db,
            ebay_base_url=marketplace.url,
            ebay_client_id="id",
            ebay_client_secret="secret",
        )
    )
    collector = service.collector
    try:
        result = await collector.fetch(event)
        assert result.status == "ok" and len(result.listings) == 1, result.error
        async with service.runtime.units.begin() as uow:
            await collector.store(uow, event, result, started_at=event.occurred_at)
        assert uow.written == 2  # the sale's pricepoint.collected and pricing.completed
        async with service.runtime.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(exchanges.c.method, exchanges.c.url, raw_artifacts.c.body)
                    .join(raw_artifacts, raw_artifacts.c.id == exchanges.c.artifact_id)
                    .where(exchanges.c.request_id == event.data.request_id)
                    .order_by(exchanges.c.seq)
                )
            ).all()
    finally:
        await service.close()
    assert [(r.method, r.url.rsplit("/", 1)[-1]) for r in rows] == [
        ("POST", "token"),
        ("GET", "search"),
        ("POST", "token"),  # the 401 got one fresh token
        ("GET", "search"),
    ]
    assert next(tokens, None) is None  # both tokens were issued and used
    assert all(t.encode() not in r.body for t in issued for r in rows)
    assert all(b"never-stored" not in r.body for r in rows)
    token_answer = rows[0].body
    assert b'"access_token": "***"' in token_answer and b"7200" in token_answer

"""No pricing request waits forever: a source whose collector never answers is re-requested,
then given up, and the item is valued from what the other source delivered.

The catalog and valuation services run in-process over a real broker and
PostgreSQL; no collector consumes `pricing.requested`, so nothing answers unless
the test, playing the collector of one source, publishes that source's comps and
completion.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client import REGISTRY
from sqlalchemy import select

from fairmarket.catalog.db import outbox, pricing_requests
from fairmarket.common.db import make_engine
from fairmarket.common.events import (
    CoinAttribution,
    Envelope,
    IntakeAttributed,
    IntakeAttributedData,
    PricePointCollected,
    PricePointCollectedData,
    PricingCompleted,
    PricingCompletedData,
    PricingRequested,
    SourceRef,
)

pytestmark = pytest.mark.integration

FAST = {
    "FAIRMARKET_PRICING_ANSWER_SECONDS": "1",
    "FAIRMARKET_PRICING_TRIES": "3",
    "FAIRMARKET_WATCHDOG_INTERVAL_SECONDS": "0.2",
    "FAIRMARKET_SCHEDULER_ENABLED": "false",
}


async def publish(bootstrap: str, events: list[Envelope[Any]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for e in events:
            await producer.send_and_wait(e.topic, e.model_dump_json().encode(), key=e.key.encode())
    finally:
        await producer.stop()


async def sent_requests(db: str, item: uuid.UUID) -> list[PricingRequested]:
    """Every pricing.requested the catalog put in its outbox for the item, in order."""
    engine = make_engine(db, schema="catalog", pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(outbox.c.payload)
                .where(outbox.c.topic == "pricing.requested", outbox.c.key == str(item))
                .order_by(outbox.c.id)
            )
            return [PricingRequested.model_validate_json(r.payload) for r in rows]
    finally:
        await engine.dispose()


async def request_rows(db: str, item: uuid.UUID) -> dict[str, Any]:
    engine = make_engine(db, schema="catalog", pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(pricing_requests).where(pricing_requests.c.item_id == item)
            )
            return {r.source_name: r for r in rows}
    finally:
        await engine.dispose()


def answer(request: PricingRequested, dollars: list[float]) -> list[Envelope[Any]]:
    """What the collector would emit for one request: its comps, then its completion."""
    d = request.data
    source = SourceRef(id=d.source.id, name=d.source.name, adapter=d.source.adapter)
    comps: list[Envelope[Any]] = [
        PricePointCollected(
            producer="collector",
            correlation_id=d.run_id,
            data=PricePointCollectedData(
                price_point_id=uuid.uuid4(),
                item_id=d.item_id,
                revision=d.revision,
                request_id=d.request_id,
                source=source,
                kind="sold",
                title="1921-D Morgan Dollar MS63",
                price=Decimal(str(p)),
                currency="USD",
                total_usd_cents=int(p * 100),
                observed_at=datetime.now(UTC) - timedelta(days=i + 1),
                match_score=1.0,
                grade="MS63",
            ),
        )
        for i, p in enumerate(dollars)
    ]
    done = PricingCompleted(
        producer="collector",
        correlation_id=d.run_id,
        data=PricingCompletedData(
            request_id=d.request_id,
            run_id=d.run_id,
            item_id=d.item_id,
            revision=d.revision,
            source=source,
            status="ok",
            collected=len(comps),
            filtered=0,
            item_grade="MS63",
            run_size=d.run_size,
        ),
    )
    return [*comps, done]


def metric(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


async def test_an_unanswered_source_is_rerequested_then_given_up_and_the_item_valued(
    service_app: Any, bearer: Any, kafka_bootstrap: str, migrated_db: str
) -> None:
    catalog = await service_app("catalog", **FAST)
    await service_app("valuation")
    created = await catalog.post(
        "/v1/sources",
        json={"name": "coin-shows", "adapter": "manual", "categories": ["coin"]},
        headers=bearer("admin"),
    )
    assert created.status_code == 201, created.text
    retried_before = metric("fairmarket_catalog_pricing_requests_rerequested_total")
    given_up_before = metric("fairmarket_catalog_pricing_requests_given_up_total")

    item = uuid.uuid4()
    coin = CoinAttribution(year=1921, mintmark="D", denomination="Morgan Dollar", grade="MS63")
    await publish(
        kafka_bootstrap,
        [
            IntakeAttributed(
                producer="intake",
                data=IntakeAttributedData(
                    item_id=item, revision=1, category="coin", attribution=coin, title="1921-D"
                ),
            )
        ],
    )
    async with asyncio.timeout(60):  # the run's two requests: eBay and the coin shows
        while len(first := await sent_requests(migrated_db, item)) < 2:
            await asyncio.sleep(0.1)
    ebay = next(r for r in first if r.data.source.name == "ebay")
    assert ebay.data.run_size == 2
    await publish(kafka_bootstrap, answer(ebay, [400, 410, 395, 420, 405]))  # eBay answers

    async with asyncio.timeout(60):  # the coin shows never do
        while (row := (await request_rows(migrated_db, item))["coin-shows"]).status == "pending":
            await asyncio.sleep(0.2)
    assert row.status == "failed"
    assert row.error == "no answer from the collector after 3 tries"
    assert row.tries == 3
    shows = [r for r in await sent_requests(migrated_db, item) if r.data.source.name != "ebay"]
    assert len(shows) == 3, "sent once, then re-requested twice"
    assert {r.data.request_id for r in shows} == {row.id}  # the same request each time
    assert len({r.event_id for r in shows}) == 3  # as new events, so the collector acts
    assert (await request_rows(migrated_db, item))["ebay"].status == "ok"

    async with asyncio.timeout(60):  # the run completes, valued from eBay's comps
        while not (got := (await catalog.get(f"/v1/items/{item}", headers=bearer())).json())[
            "valuation"
        ]:
            await asyncio.sleep(0.2)
    valuation = got["valuation"]
    assert valuation["comps"]["total"] == 5
    assert valuation["fmv_usd_cents"] == 40500
    run = (await catalog.get(f"/v1/pricing-runs/{ebay.data.run_id}", headers=bearer())).json()
    assert run["valuation_version"] == 1
    assert {s["source"]: s["status"] for s in run["sources"]} == {
        "ebay": "ok",
        "coin-shows": "failed",
    }
    assert metric("fairmarket_catalog_pricing_requests_rerequested_total") - retried_before == 2
    assert metric("fairmarket_catalog_pricing_requests_given_up_total") - given_up_before == 1
    async with asyncio.timeout(10):  # nothing stuck any more as of the next tick
        while metric("fairmarket_catalog_pricing_requests_stuck"):
            await asyncio.sleep(0.1)

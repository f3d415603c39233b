"""The valuation service over a real broker and database: comps in, one valuation out."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from fairmarket.common.events import (
    Envelope,
    PricePointCollected,
    PricePointCollectedData,
    PricePointFlagged,
    PricePointFlaggedData,
    PricingCompleted,
    PricingCompletedData,
    SourceRef,
)

pytestmark = pytest.mark.integration

SOURCE = SourceRef(id=uuid.uuid4(), name="ebay", adapter="ebay", reputation=1.0)


def comp(item: uuid.UUID, request: uuid.UUID, dollars: float, days_ago: int) -> PricePointCollected:
    return PricePointCollected(
        producer="test",
        data=PricePointCollectedData(
            price_point_id=uuid.uuid4(),
            item_id=item,
            revision=1,
            request_id=request,
            source=SOURCE,
            kind="sold",
            title="1921-D Morgan Dollar MS63",
            price=Decimal(str(dollars)),
            currency="USD",
            total_usd_cents=int(dollars * 100),
            observed_at=datetime.now(UTC) - timedelta(days=days_ago),
            match_score=1.0,
        ),
    )


def completed(item: uuid.UUID, request: uuid.UUID, run: uuid.UUID, n: int) -> PricingCompleted:
    return PricingCompleted(
        producer="test",
        correlation_id=run,
        data=PricingCompletedData(
            request_id=request,
            run_id=run,
            item_id=item,
            revision=1,
            source=SOURCE,
            status="ok",
            collected=n,
            filtered=0,
            item_grade="MS63",
        ),
    )


async def publish(bootstrap: str, events: list[Envelope[Any]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for e in events:
            await producer.send_and_wait(e.topic, e.model_dump_json().encode(), key=e.key.encode())
    finally:
        await producer.stop()


async def current(client: Any, bearer: Any, item: uuid.UUID, version: int = 1) -> dict[str, Any]:
    async with asyncio.timeout(60):
        while True:
            r = await client.get(f"/v1/valuations/{item}", headers=bearer("viewer"))
            if r.status_code == 200 and r.json()["version"] >= version:
                return r.json()
            await asyncio.sleep(0.1)


async def test_comps_then_completion_give_one_valuation_and_a_flag_recomputes(
    service_app: Any, bearer: Any, kafka_bootstrap: str
) -> None:
    valuation = await service_app("valuation")
    item, request, run = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    prices = [400, 410, 395, 420, 405, 415, 398, 2500]
    comps = [comp(item, request, p, days_ago=i + 1) for i, p in enumerate(prices)]
    # The completion may overtake its comps (another topic): it is published first here.
    await publish(kafka_bootstrap, [completed(item, request, run, len(comps))])
    await publish(kafka_bootstrap, [*comps, comps[0]])  # and one comp twice

    got = await current(valuation, bearer, item)
    v = got["valuation"]
    assert v["comps"]["total"] == len(prices)
    assert 39_500 <= v["fmv_usd_cents"] <= 42_000
    assert v["comps"]["outliers"] >= 1  # the $2,500 one
    assert 1 <= v["confidence"] <= 10 and v["explanation"]
    assert {c["price_point_id"] for c in got["comps"]} == {
        str(c.data.price_point_id) for c in comps
    }

    history = await valuation.get(f"/v1/valuations/{item}/history", headers=bearer("viewer"))
    assert [h["version"] for h in history.json()] == [1]

    flag = PricePointFlagged(
        producer="test",
        data=PricePointFlaggedData(
            price_point_id=comps[1].data.price_point_id,
            item_id=item,
            excluded=True,
            reason="damaged rim",
            by="ann",
        ),
    )
    await publish(kafka_bootstrap, [flag])
    again = await current(valuation, bearer, item, version=2)
    assert again["valuation"]["previous_fmv_usd_cents"] == v["fmv_usd_cents"]
    excluded = next(
        c for c in again["comps"] if c["price_point_id"] == str(comps[1].data.price_point_id)
    )
    assert excluded["used"] is False

"""The catalog's neighbours, played over the real broker: intake's, the collector's and the
valuation's events produced as those services would, and the catalog's own events read back."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from fairmarket.common.events import (
    Attribution,
    CoinAttribution,
    CompsCounts,
    ConfidenceComponents,
    IntakeAttributed,
    IntakeAttributedData,
    PricePointCollected,
    PricePointCollectedData,
    PricingCompleted,
    PricingCompletedData,
    SourceRef,
    ValuationComputed,
    ValuationComputedData,
)

EBAY = SourceRef(id=uuid.UUID("6f1c2d0e-8b1a-4f5e-9c3d-0e0b5a1d2c01"), name="ebay", adapter="ebay")
COIN = CoinAttribution(year=1921, mintmark="D", denomination="Morgan Dollar", grade="MS63")


async def produce(bootstrap: str, *events: Any) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for e in events:
            await producer.send_and_wait(e.topic, e.model_dump_json().encode(), key=e.key.encode())
    finally:
        await producer.stop()


async def until(check: Callable[[], Any], timeout: float = 30) -> Any:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    async with asyncio.timeout(timeout):
        while not (found := await check()):
            await asyncio.sleep(0.05)
    return found


async def events_on(
    bootstrap: str, topic: str, wanted: Callable[[dict[str, Any]], bool], n: int = 1
) -> list[dict[str, Any]]:
    """The first `n` events on `topic` (from its beginning) that `wanted` picks, as JSON."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    found: list[dict[str, Any]] = []
    try:
        async with asyncio.timeout(30):
            while len(found) < n:
                for records in (await consumer.getmany(timeout_ms=200)).values():
                    found += [e for r in records if wanted(e := json.loads(r.value))]
    finally:
        await consumer.stop()
    return found[:n]


async def take_in(
    catalog: Any,
    bearer: Any,
    bootstrap: str,
    attribution: Attribution = COIN,
    title: str = "1921-D Morgan dollar MS63",
) -> uuid.UUID:
    """An item as intake attributes it; returns once the catalog shows it."""
    item = uuid.uuid4()
    await produce(
        bootstrap,
        IntakeAttributed(
            producer="intake",
            data=IntakeAttributedData(
                item_id=item,
                revision=1,
                category=attribution.category,
                title=title,
                attribution=attribution,
            ),
        ),
    )

    async def seen() -> bool:
        return (await catalog.get(f"/v1/items/{item}", headers=bearer("viewer"))).status_code == 200

    await until(seen)
    return item


def comp(item: uuid.UUID, title: str, dollars: str) -> PricePointCollected:
    return PricePointCollected(
        producer="collector",
        data=PricePointCollectedData(
            price_point_id=uuid.uuid4(),
            item_id=item,
            revision=1,
            request_id=uuid.uuid4(),
            source=EBAY,
            kind="sold",
            title=title,
            price=Decimal(dollars),
            currency="USD",
            total_usd_cents=int(Decimal(dollars) * 100),
            observed_at=datetime(2026, 11, 20, tzinfo=UTC),
            match_score=1.0,
        ),
    )


def completed(
    item: uuid.UUID, run_id: str, request_id: str, *, collected: int, filtered: int
) -> PricingCompleted:
    return PricingCompleted(
        producer="collector",
        data=PricingCompletedData(
            request_id=uuid.UUID(request_id),
            run_id=uuid.UUID(run_id),
            item_id=item,
            revision=1,
            source=EBAY,
            status="ok",
            collected=collected,
            filtered=filtered,
        ),
    )


def valuation(item: uuid.UUID, version: int, fmv: int, previous: int | None) -> ValuationComputed:
    return ValuationComputed(
        producer="valuation",
        data=ValuationComputedData(
            item_id=item,
            revision=1,
            version=version,
            method="fmv-test",
            as_of="2026-11-20T00:00:00Z",
            fmv_usd_cents=fmv,
            p10_usd_cents=int(fmv * 0.9),
            p50_usd_cents=fmv,
            p90_usd_cents=int(fmv * 1.1),
            comps=CompsCounts(total=12, used=11, outliers=1, filtered=0),
            sold_ratio=1.0,
            basis="sold",
            confidence=8,
            confidence_components=ConfidenceComponents(
                count=3, reputation=2, sold_ratio=2, spread=1, recency=0
            ),
            explanation="12 sold comps.",
            inputs_hash=f"h{version}",
            previous_fmv_usd_cents=previous,
        ),
    )


async def valued(catalog: Any, bearer: Any, item: uuid.UUID, version: int) -> None:
    async def done() -> bool:
        r = await catalog.get(f"/v1/items/{item}", headers=bearer("viewer"))
        return ((r.json().get("valuation") or {}).get("version") or 0) >= version

    await until(done)

"""Issue 17 end to end: poisoned watches and comps go in, every item's valuations keep flowing.

Against the whole stack as processes. The API refuses the poisoned inputs with a 4xx
(a file with one bad row imports nothing); rows stored before the API refused them
(written here straight to the tables and the topic, as an older release let them in)
are skipped and marked by the consumers, and the valuations of the poisoned item and
of another item still change with the next good import.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import select
from test_pipeline import COIN, headers, item_when, take_in, valued
from webhook_receiver import Receiver

from fairmarket.catalog.db import deliveries, watches
from fairmarket.common.db import make_engine
from fairmarket.common.events import (
    PricePointCollected,
    PricePointCollectedData,
    PricingCompleted,
    PricingCompletedData,
    SourceRef,
)

pytestmark = pytest.mark.e2e

OTHER = {
    "category": "coin",
    "title": "1881-S Morgan dollar",
    "attribution": {"category": "coin", "year": 1881, "mintmark": "S", "grade": "MS64"},
}


def csv(*rows: str) -> str:
    return "title,price,currency,date,url,source\n" + "\n".join(rows) + "\n"


def good_rows(n: int, dollars: int) -> list[str]:
    day = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    return [
        f"Show sale {i} Morgan dollar,{dollars + i},USD,{day},https://shows.example/{i},"
        for i in range(n)
    ]


async def import_csv(client: httpx.AsyncClient, stack: Any, item: str, body: str) -> Any:
    return await client.post(
        f"{stack.urls['collector']}/v1/imports?item_id={item}",
        content=body,
        headers={**headers(stack.token("staff", "staffer")), "content-type": "text/csv"},
    )


async def comps_of(client: httpx.AsyncClient, stack: Any, item: str) -> list[dict[str, Any]]:
    r = await client.get(
        f"{stack.urls['catalog']}/v1/items/{item}/comps", headers=headers(stack.admin_token)
    )
    assert r.status_code == 200, r.text
    return list(r.json())


async def stored_before_the_fix(stack: Any, item: str, bad_url: str) -> tuple[uuid.UUID, ...]:
    """A watch whose condition value was stored as null ("Infinity"), and one whose URL holds
    a tab, as the API stored them before it refused them."""
    ids = (uuid.uuid4(), uuid.uuid4())
    engine = make_engine(stack.database_url, schema="catalog", pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                watches.insert(),
                [
                    {
                        "id": ids[0],
                        "item_id": uuid.UUID(item),
                        "condition": {"kind": "confidence_above", "value": None},
                        "url": bad_url,
                        "secret": "whsec_a",
                        "created_by": "attacker",
                    },
                    {
                        "id": ids[1],
                        "item_id": uuid.UUID(item),
                        "condition": {"kind": "fmv_above", "value": 0},
                        "url": "http://host\t/a",
                        "secret": "whsec_b",
                        "created_by": "attacker",
                    },
                ],
            )
    finally:
        await engine.dispose()
    return ids


async def year_one_comp_from_an_old_collector(stack: Any, item: str) -> None:
    item_id, request, run = uuid.UUID(item), uuid.uuid4(), uuid.uuid4()
    source = SourceRef(id=uuid.uuid4(), name="manual", adapter="manual")
    events = [
        PricePointCollected(
            producer="collector",
            correlation_id=run,
            data=PricePointCollectedData(
                price_point_id=uuid.uuid4(),
                item_id=item_id,
                revision=1,
                request_id=request,
                source=source,
                kind="sold",
                title="1921-D Morgan dollar, dated year 1",
                price=Decimal("50"),
                currency="USD",
                total_usd_cents=5_000,
                observed_at=datetime(1, 1, 1, tzinfo=UTC),
                match_score=1.0,
            ),
        ),
        PricingCompleted(
            producer="collector",
            correlation_id=run,
            data=PricingCompletedData(
                request_id=request,
                run_id=run,
                item_id=item_id,
                revision=1,
                source=source,
                status="ok",
                collected=1,
                filtered=0,
            ),
        ),
    ]
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    await producer.start()
    try:
        for e in events:
            await producer.send_and_wait(e.topic, e.model_dump_json().encode(), key=e.key.encode())
    finally:
        await producer.stop()


async def test_poisoned_watches_and_comps_leave_every_items_valuations_flowing(
    stack: Any, receiver: Receiver
) -> None:
    catalog, admin = stack.urls["catalog"], headers(stack.admin_token)
    async with httpx.AsyncClient(timeout=15) as client:
        poisoned = await take_in(client, stack, COIN)
        other = await take_in(client, stack, OTHER)
        await item_when(client, stack, poisoned, valued(1))
        await item_when(client, stack, other, valued(1))

        # the API refuses both watches now
        for bad in (
            {"condition": {"kind": "confidence_above", "value": "Infinity"}, "url": receiver.url},
            {"condition": {"kind": "fmv_above", "value": 0}, "url": "http://host\t/a"},
        ):
            r = await client.post(
                f"{catalog}/v1/watches", json={"item_id": poisoned, **bad}, headers=admin
            )
            assert r.status_code == 422 and r.json()["reason"], r.text
        body = {  # one watch over both items (the receiver checks one secret)
            "category": "coin",
            "query": "morgan dollar",
            "condition": {"kind": "fmv_above", "value": 0},
            "url": receiver.url,
        }
        r = await client.post(f"{catalog}/v1/watches", json=body, headers=admin)
        assert r.status_code == 201, r.text
        good = r.json()
        receiver.secret = good["secret"]
        bad_condition, bad_url = await stored_before_the_fix(stack, poisoned, receiver.url)

        # the import refuses each poisoned file whole
        before = len(await comps_of(client, stack, poisoned))
        for row in (
            "Lot dated year 1,100,USD,0001-01-01,,",
            "Lot dated year 10000,100,USD,9999-12-31T23:59:59-12:00,,",
            "Forged eBay lot,100,USD,2026-11-01,javascript:alert(document.cookie),ebay",
            "NUL\x00 lot,100,USD,2026-11-01,,",
        ):
            r = await import_csv(client, stack, poisoned, csv(*good_rows(2, 150), row))
            assert r.status_code == 422, r.text
            assert "nothing was imported" in r.json()["reason"]
        assert len(await comps_of(client, stack, poisoned)) == before

        # a year-1 comp an older collector let through does not freeze the item
        await year_one_comp_from_an_old_collector(stack, poisoned)
        await item_when(client, stack, poisoned, valued(2))

        # good imports still move both items' valuations
        for item, version in ((poisoned, 3), (other, 2)):
            r = await import_csv(client, stack, item, csv(*good_rows(3, 160)))
            assert r.status_code == 201, r.text
            await item_when(client, stack, item, valued(version))

        comps = await comps_of(client, stack, poisoned)
        assert len(comps) == before + 1 + 3
        [year_one] = [c for c in comps if "dated year 1" in c["title"]]
        assert year_one["filtered"] and "out of range" in year_one["filtered_reason"]
        assert {c["source"] for c in comps if "Show sale" in c["title"]} == {"manual"}

        w = (await client.get(f"{catalog}/v1/watches/{bad_condition}", headers=admin)).json()
        assert not w["enabled"]
        assert w["disabled_reason"].startswith("condition cannot be evaluated")
        fired = {g["body"]["item"]["id"] for g in receiver.wait_for(2, timeout=60)}
        assert fired >= {poisoned, other} and not receiver.refused

        engine = make_engine(stack.database_url, schema="catalog", pool_size=1)
        try:
            async with engine.connect() as conn:
                tried = (
                    await conn.execute(select(deliveries).where(deliveries.c.watch_id == bad_url))
                ).all()
        finally:
            await engine.dispose()
        assert tried and all("not usable" in (d.last_error or "") for d in tried if d.attempts)

        for watch_id in (good["id"], bad_condition, bad_url):
            await client.delete(f"{catalog}/v1/watches/{watch_id}", headers=admin)

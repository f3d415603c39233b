"""The whole pipeline, as a user drives it: four service processes, real broker and database.

An intake goes in through the intake API; its valuation shows up at the catalog API
and as a `valuation.computed` event; a new attribution revision yields a new
version; the same event delivered twice changes nothing; a killed service loses
nothing.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from fairmarket.common.events import IntakeAttributed, ValuationComputed

pytestmark = pytest.mark.e2e

COIN = {
    "category": "coin",
    "title": "1921-D Morgan dollar",
    "attribution": {
        "category": "coin",
        "year": 1921,
        "mintmark": "D",
        "denomination": "Morgan Dollar",
        "grade": "MS63",
    },
}


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def take_in(client: httpx.AsyncClient, stack: Any, body: dict[str, Any]) -> str:
    r = await client.post(
        f"{stack.urls['intake']}/v1/intakes", json=body, headers=headers(stack.admin_token)
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def item_when(
    client: httpx.AsyncClient, stack: Any, item_id: str, ready: Any, timeout: float = 90
) -> dict[str, Any]:
    """Poll the catalog until `ready(item)` holds; fail with what was last seen."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        r = await client.get(
            f"{stack.urls['catalog']}/v1/items/{item_id}", headers=headers(stack.admin_token)
        )
        if r.status_code == 200:
            last = r.json()
            if ready(last):
                return last
        await asyncio.sleep(0.2)
    raise AssertionError(f"item {item_id} never got there; last seen: {last}")


def valued(version: int = 1) -> Any:
    return lambda item: (item.get("valuation") or {}).get("version", 0) >= version


async def events_for(
    bootstrap: str, topic: str, key: str, n: int, timeout: float = 30
) -> list[Any]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"e2e-reader-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=100,
    )
    await consumer.start()
    found: list[Any] = []
    try:
        async with asyncio.timeout(timeout):
            while len(found) < n:
                for records in (await consumer.getmany(timeout_ms=200)).values():
                    found.extend(r for r in records if r.key == key.encode())
    except TimeoutError:
        pass
    finally:
        await consumer.stop()
    return found


async def duplicates_skipped(client: httpx.AsyncClient, stack: Any) -> float:
    """The catalog's count of intake.attributed records its inbox had already handled."""
    text = (await client.get(f"{stack.urls['catalog']}/metrics")).text
    for family in text_string_to_metric_families(text):
        if family.name == "fairmarket_messages_duplicate":
            return sum(
                s.value
                for s in family.samples
                if s.name.endswith("_total") and s.labels.get("topic") == IntakeAttributed.topic
            )
    return 0.0


async def test_an_intake_is_valued_and_published(stack: Any) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        item_id = await take_in(client, stack, COIN)
        item = await item_when(client, stack, item_id, valued())

    assert item["attribution"]["year"] == 1921
    valuation = item["valuation"]
    assert 1 <= valuation["confidence"] <= 10
    assert valuation["explanation"]
    assert valuation["fmv_usd_cents"] and valuation["fmv_usd_cents"] > 0
    assert valuation["p10_usd_cents"] <= valuation["fmv_usd_cents"] <= valuation["p90_usd_cents"]
    assert item["latest_runs"] and item["latest_runs"][0]["status"] in {"ok", "partial"}

    records = await events_for(stack.kafka_bootstrap, ValuationComputed.topic, item_id, 1)
    assert records, "no valuation.computed event on the topic"
    event = ValuationComputed.model_validate_json(records[0].value)
    assert event.data.fmv_usd_cents == valuation["fmv_usd_cents"]
    assert dict(records[0].headers)["event_id"] == str(event.event_id).encode()


async def test_a_new_revision_yields_a_new_valuation_version(stack: Any) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        item_id = await take_in(client, stack, COIN)
        first = await item_when(client, stack, item_id, valued())
        r = await client.put(
            f"{stack.urls['intake']}/v1/intakes/{item_id}/attribution",
            json={"attribution": {**COIN["attribution"], "grade": "MS65"}},
            headers=headers(stack.admin_token),
        )
        assert r.status_code == 200, r.text
        assert r.json()["revision"] == 2
        second = await item_when(
            client, stack, item_id, lambda i: (i.get("valuation") or {}).get("revision") == 2
        )
    assert second["revision"] == 2
    assert second["attribution"]["grade"] == "MS65"
    assert second["valuation"]["version"] > first["valuation"]["version"]


async def test_the_same_event_delivered_twice_changes_nothing(stack: Any) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        item_id = await take_in(client, stack, COIN)
        before = await item_when(client, stack, item_id, valued())
        records = await events_for(stack.kafka_bootstrap, IntakeAttributed.topic, item_id, 1)
        assert records
        skipped = await duplicates_skipped(client, stack)
        producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait(
                IntakeAttributed.topic,
                records[0].value,
                key=records[0].key,
                headers=list(records[0].headers),
            )
        finally:
            await producer.stop()
        async with asyncio.timeout(30):  # the catalog consumed the copy and skipped it
            while await duplicates_skipped(client, stack) < skipped + 1:
                await asyncio.sleep(0.2)
        after = await item_when(client, stack, item_id, valued())

        runs = await client.get(
            f"{stack.urls['catalog']}/v1/items/{item_id}/valuations",
            headers=headers(stack.admin_token),
        )
    assert after["valuation"]["version"] == before["valuation"]["version"]
    assert [r["request_id"] for r in after["latest_runs"]] == [
        r["request_id"] for r in before["latest_runs"]
    ]
    assert len(runs.json()) == 1


async def test_a_killed_service_loses_nothing(stack: Any) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        stack.kill("valuation")
        ids = [await take_in(client, stack, COIN) for _ in range(5)]
        await asyncio.to_thread(stack.restart, "valuation")  # waits until it is ready
        items = [await item_when(client, stack, i, valued()) for i in ids]
    assert all(i["valuation"]["version"] == 1 for i in items)

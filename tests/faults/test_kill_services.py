"""Kill -9 each service in turn in the middle of a stream of items: nothing lost, nothing twice.

Every item must end with exactly the valuation the engine gives offline over the
same comps; no comp counted twice; outboxes drained; nothing dead-lettered.
The quick form runs in CI; FAIRMARKET_FAULT_ITEMS=300 runs the full one.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from fairmarket.cli.stack import Stack, StackConfig
from fairmarket.common.events import TOPICS, PricePointCollectedData, dlq_topic
from fairmarket.valuation.domain import Comp, value

pytestmark = pytest.mark.e2e

ITEMS = int(os.environ.get("FAIRMARKET_FAULT_ITEMS", "40"))
VICTIMS = ("collector", "valuation", "catalog", "intake")
COIN = {
    "category": "coin",
    "attribution": {
        "category": "coin",
        "year": 1921,
        "mintmark": "D",
        "denomination": "Morgan Dollar",
        "grade": "MS63",
    },
}


def _dsn(stack: Stack) -> str:
    return stack.database_url.replace("postgresql+asyncpg://", "postgresql://")


async def _take_in(client: httpx.AsyncClient, stack: Stack) -> str:
    for _ in range(100):  # intake itself may be the one that was just killed
        try:
            r = await client.post(
                f"{stack.urls['intake']}/v1/intakes", json=COIN, headers=stack.auth
            )
            if r.status_code == 201:
                return r.json()["id"]
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise AssertionError("intake never came back")


async def _stream_with_kills(stack: Stack) -> list[str]:
    ids: list[str] = []
    kill_every = max(ITEMS // (len(VICTIMS) + 1), 1)
    victims = list(VICTIMS)
    async with httpx.AsyncClient(timeout=5) as client:
        for n in range(ITEMS):
            ids.append(await _take_in(client, stack))
            if n and n % kill_every == 0 and victims:
                stack.kill(victims.pop(0), restart=True)  # SIGKILL; the supervisor restarts it
            await asyncio.sleep(0.05)
    return ids


async def _valuations(stack: Stack, ids: list[str], timeout: float) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + timeout
    done: dict[str, dict[str, Any]] = {}
    async with httpx.AsyncClient(timeout=5) as client:
        while len(done) < len(ids) and time.monotonic() < deadline:
            for item in ids:
                if item in done:
                    continue
                try:
                    r = await client.get(
                        f"{stack.urls['catalog']}/v1/items/{item}", headers=stack.auth
                    )
                except httpx.TransportError:
                    break
                if r.status_code == 200 and r.json()["valuation"]:
                    done[item] = r.json()["valuation"]
            await asyncio.sleep(0.3)
    return done


async def _dead_letters(bootstrap: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        tps = [
            TopicPartition(dlq_topic(t), p)
            for t in TOPICS
            for p in (consumer.partitions_for_topic(dlq_topic(t)) or {0})
        ]
        end = await consumer.end_offsets(tps)
        return sum(end.values())
    finally:
        await consumer.stop()


def test_killing_each_service_mid_stream_loses_nothing(tmp_path: Path) -> None:
    config = StackConfig.for_tests(tmp_path / "stack")
    with Stack(config) as stack:
        ids = asyncio.run(_stream_with_kills(stack))
        valued = asyncio.run(_valuations(stack, ids, timeout=240))
        lost = [i for i in ids if i not in valued]
        assert not lost, f"{len(lost)} items never valued: {lost[:5]}"
        report = asyncio.run(_check(stack, ids, valued))
    print(
        f"\n{len(ids)} items, {len(VICTIMS)} kills ({', '.join(VICTIMS)}), {len(lost)} lost, "
        f"{report['duplicated']} duplicated, {report['mismatched']} valued differently offline, "
        f"{report['unsent']} outbox rows unsent, {report['dead']} dead letters"
    )
    assert report == {"duplicated": 0, "mismatched": 0, "unsent": 0, "dead": 0}


async def _check(stack: Stack, ids: list[str], valued: dict[str, dict[str, Any]]) -> dict[str, int]:
    conn = await asyncpg.connect(_dsn(stack))
    try:
        duplicated = mismatched = 0
        for item in ids:
            payloads = await conn.fetch(
                "SELECT DISTINCT ON (id) payload FROM collector.price_points WHERE item_id = $1",
                item,
            )
            points = [PricePointCollectedData.model_validate_json(p["payload"]) for p in payloads]
            comps_in_catalog = await conn.fetchval(
                "SELECT count(*) FROM catalog.comps WHERE item_id = $1", item
            )
            versions = await conn.fetchval(
                "SELECT count(*) FROM valuation.valuations WHERE item_id = $1", item
            )
            v = valued[item]
            if (
                comps_in_catalog != len(points)
                or v["comps"]["total"] != len(points)
                or versions != 1
            ):
                duplicated += 1
            offline = value(
                [
                    Comp(
                        price_point_id=str(p.price_point_id),
                        source=p.source.name,
                        reputation=p.source.reputation,
                        kind=p.kind,
                        total_usd_cents=p.total_usd_cents,
                        observed_at=p.observed_at,
                        match_score=p.match_score,
                        sale_format=p.sale_format,
                        bids=p.bids,
                        grade=p.grade,
                        filtered=p.filtered,
                    )
                    for p in points
                ],
                as_of=_parse(v["as_of"]),
                grade="MS63",
            )
            if (offline.inputs_hash, offline.fmv_usd_cents) != (
                v["inputs_hash"],
                v["fmv_usd_cents"],
            ):
                mismatched += 1
        unsent = 0
        for schema in ("intake", "catalog", "collector", "valuation"):
            for _ in range(100):
                unsent_now = await conn.fetchval(
                    f"SELECT count(*) FROM {schema}.outbox WHERE sent_at IS NULL"
                )
                if not unsent_now:
                    break
                await asyncio.sleep(0.1)
            unsent += unsent_now
    finally:
        await conn.close()
    return {
        "duplicated": duplicated,
        "mismatched": mismatched,
        "unsent": unsent,
        "dead": await _dead_letters(stack.kafka_bootstrap),
    }


def _parse(stamp: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))

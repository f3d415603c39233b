"""What every fault test checks afterwards: each item valued exactly as offline, once.

The ledger compares every item's valuation at the catalog with the engine run
offline over the comps the collector stored for it, counts comps stored twice,
valuation versions beyond the first, outbox rows never sent and dead letters.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from fairmarket.cli.stack import Stack
from fairmarket.common.events import TOPICS, PricePointCollectedData, dlq_topic
from fairmarket.valuation.domain import Comp, value

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
CLEAN = {"duplicated": 0, "mismatched": 0, "unsent": 0, "dead": 0}


def tally(lost: list[str], report: dict[str, int]) -> str:
    """The figures every fault test prints, so they can be quoted."""
    return (
        f"{len(lost)} lost, {report['duplicated']} duplicated, {report['mismatched']} valued "
        f"differently offline, {report['unsent']} outbox rows unsent, {report['dead']} dead letters"
    )


def dsn(stack: Stack) -> str:
    return stack.database_url.replace("postgresql+asyncpg://", "postgresql://")


async def take_in(client: httpx.AsyncClient, stack: Stack) -> str:
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


async def valuations(stack: Stack, ids: list[str], timeout: float) -> dict[str, dict[str, Any]]:
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


async def dead_letters(bootstrap: str) -> int:
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


async def ledger(stack: Stack, ids: list[str], valued: dict[str, dict[str, Any]]) -> dict[str, int]:
    conn = await asyncpg.connect(dsn(stack))
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
                as_of=parse(v["as_of"]),
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
        "dead": await dead_letters(stack.kafka_bootstrap),
    }


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))

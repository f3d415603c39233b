"""The whole pipeline: items taken in at the intake API until their valuation is on the topic.

Per item, the clock runs from just before its intake request to the arrival of
its first `valuation.computed` record at a consumer of ours (the catalog reads
the same record). Price points per second count the comps the valuations were
computed from, over the time from the first intake to the last valuation.

At saturation the items can also enter as `intake.attributed` records produced
straight to the topic (`direct`), as the intake's relay publishes them: the
figure is then the pipeline's from the catalog's pricing requests to the
valuation, without the intake API's requests sharing the two cores.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from typing import Any

import httpx
import numpy as np
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from fairmarket.cli.stack import Stack
from fairmarket.common.events import (
    CoinAttribution,
    IntakeAttributed,
    IntakeAttributedData,
    ValuationComputed,
)

COIN = {
    "category": "coin",
    "title": "1921-D Morgan dollar MS63",
    "attribution": {
        "category": "coin",
        "year": 1921,
        "mintmark": "D",
        "denomination": "Morgan Dollar",
        "grade": "MS63",
    },
}


async def _valuations(
    consumer: AIOKafkaConsumer,
    arrived: dict[str, tuple[float, int]],
    done: asyncio.Event,
    progress: asyncio.Event,
) -> None:
    """Stamp each item's first valuation as it arrives, while the items are still going in."""
    while not done.is_set():
        for records in (await consumer.getmany(timeout_ms=50)).values():
            now = time.perf_counter()
            for r in records:
                key = r.key.decode() if r.key else ""
                if key not in arrived:
                    event = ValuationComputed.model_validate_json(r.value)
                    arrived[key] = (now, event.data.comps.total)
                    progress.set()


def attributed(item: uuid.UUID) -> IntakeAttributed:
    body = COIN["attribution"]
    return IntakeAttributed(
        producer="intake",
        correlation_id=item,
        data=IntakeAttributedData(
            item_id=item,
            revision=1,
            category="coin",
            title=str(COIN["title"]),
            attribution=CoinAttribution.model_validate(body),
        ),
    )


async def _produce(stack: Stack, items: int, sent: dict[str, float]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap, linger_ms=5)
    await producer.start()
    try:
        for _ in range(items):
            event = attributed(uuid.uuid4())
            sent[event.key] = time.perf_counter()
            await producer.send(
                event.topic, event.model_dump_json().encode(), key=event.key.encode()
            )
        await producer.flush()
    finally:
        await producer.stop()


async def measure(
    stack: Stack, items: int, rate: float | None, timeout: float = 900, *, direct: bool = False
) -> dict[str, float]:
    consumer = AIOKafkaConsumer(
        ValuationComputed.topic,
        bootstrap_servers=stack.kafka_bootstrap,
        group_id=f"bench-{uuid.uuid4().hex}",
        auto_offset_reset="latest",
        enable_auto_commit=False,
        fetch_max_wait_ms=50,
    )
    await consumer.start()
    while not consumer.assignment():  # joined: every record from now on is ours to see
        await consumer.getmany(timeout_ms=100)
    sent: dict[str, float] = {}
    arrived: dict[str, tuple[float, int]] = {}
    limits = httpx.Limits(max_connections=16)
    try:
        async with httpx.AsyncClient(headers=stack.auth, timeout=30, limits=limits) as client:
            gate = asyncio.Semaphore(16)

            async def take_in(n: int) -> None:
                if rate:
                    await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
                async with gate:
                    began = time.perf_counter()
                    r = await client.post(f"{stack.urls['intake']}/v1/intakes", json=COIN)
                    r.raise_for_status()
                    sent[r.json()["id"]] = began

            done, progress = asyncio.Event(), asyncio.Event()
            reading = asyncio.create_task(_valuations(consumer, arrived, done, progress))
            start = time.perf_counter()
            if direct:
                await _produce(stack, items, sent)
            else:
                await asyncio.gather(*(take_in(n) for n in range(items)))
        deadline = time.perf_counter() + timeout
        while not sent.keys() <= arrived.keys() and time.perf_counter() < deadline:
            progress.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(progress.wait(), 1)
        done.set()
        await reading
    finally:
        await consumer.stop()
    if not sent.keys() <= arrived.keys():
        raise RuntimeError(f"{len(sent.keys() - arrived.keys())} items got no valuation in time")
    first = min(sent.values())
    last = max(arrived[i][0] for i in sent)
    elapsed = last - first
    latency = np.array([(arrived[i][0] - sent[i]) * 1e3 for i in sent])
    comps = sum(arrived[i][1] for i in sent)
    return {
        "price_points_per_s": comps / elapsed,
        "valuations_per_s": items / elapsed,
        "offered_items_per_s": rate or 0.0,
        "e2e_p50_ms": float(np.percentile(latency, 50)),
        "e2e_p95_ms": float(np.percentile(latency, 95)),
        "e2e_p99_ms": float(np.percentile(latency, 99)),
        "seconds": elapsed,
    }


def run(stack: Stack, items: int, rate: float, timeout: float = 900) -> dict[str, float]:
    """At the offered `rate` (items per second) through the intake API, then at saturation
    (all at once) through the API and straight onto the topic, after a warm-up round
    (consumer groups joined, connections and caches filled) that is not counted."""
    asyncio.run(measure(stack, 20, None, timeout))
    paced = asyncio.run(measure(stack, items, rate, timeout))
    flat = asyncio.run(measure(stack, items, None, timeout))
    direct = asyncio.run(measure(stack, items, None, timeout, direct=True))
    out: dict[str, Any] = {
        "pipeline_price_points_per_s": direct["price_points_per_s"],
        "pipeline_valuations_per_s": direct["valuations_per_s"],
        "pipeline_via_api_price_points_per_s": flat["price_points_per_s"],
        "pipeline_via_api_valuations_per_s": flat["valuations_per_s"],
        "pipeline_saturated_e2e_p99_ms": flat["e2e_p99_ms"],
        "e2e_p50_ms": paced["e2e_p50_ms"],
        "e2e_p95_ms": paced["e2e_p95_ms"],
        "e2e_p99_ms": paced["e2e_p99_ms"],
        "pipeline_paced_items_per_s": paced["valuations_per_s"],
    }
    return out

"""Replay after normalization changed: the stored raw responses, run through today's parsers
and filters, correct the price points an older normalization stored, emit only those, and
a second replay finds nothing left to change.

The collector runs in-process against the sandbox marketplace over real HTTP, its database
and the broker; the replay is the operator's command, `fairmarket collector replay`.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from request_support import ebay_at, morgan_on_ebay, send
from sqlalchemy import select, update
from typer.testing import CliRunner

from fairmarket.cli.main import app as cli
from fairmarket.collector.db import price_points
from fairmarket.common.events import (
    PricePointCollected,
)

pytestmark = pytest.mark.integration


async def stored(engine: Any, request_id: uuid.UUID) -> dict[str, dict[str, Any]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(price_points.c.id, price_points.c.payload).where(
                price_points.c.request_id == request_id
            )
        )
        return {str(r.id): r.payload for r in rows}


async def collected_events(bootstrap: str, item: uuid.UUID, n: int) -> list[dict[str, Any]]:
    """The first n pricepoint.collected events of the item, in topic order."""
    consumer = AIOKafkaConsumer(
        PricePointCollected.topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    found: list[dict[str, Any]] = []
    try:
        async with asyncio.timeout(30):
            while len(found) < n:
                for records in (await consumer.getmany(timeout_ms=200)).values():
                    events = [json.loads(r.value) for r in records]
                    found += [e for e in events if e["data"]["item_id"] == str(item)]
    finally:
        await consumer.stop()
    return found


async def replay_command(request_id: uuid.UUID) -> Any:
    """`fairmarket collector replay`, as an operator runs it (its own event loop)."""
    return await asyncio.to_thread(
        CliRunner().invoke, cli, ["collector", "replay", str(request_id)]
    )


async def test_a_replay_corrects_what_an_older_normalization_stored_and_emits_only_that(
    service_app: Any, bearer: Any, kafka_bootstrap: str, sandbox: str
) -> None:
    collector = await service_app("collector", **ebay_at(sandbox))
    ask = morgan_on_ebay()
    request_id, item = ask.data.request_id, ask.data.item_id
    await send(kafka_bootstrap, ask)
    async with asyncio.timeout(60):
        while (await collector.get(f"/v1/jobs/{request_id}", headers=bearer())).status_code != 200:
            await asyncio.sleep(0.1)
    engine = collector.app.state.runtime.engine
    today = await stored(engine, request_id)
    first = await collected_events(kafka_bootstrap, item, len(today))
    assert {e["data"]["price_point_id"] for e in first} == set(today)

    # What an older normalization stored: a junk filter that let everything through
    junk = {pid for pid, p in today.items() if p["filtered"]}
    assert junk and len(junk) < len(today)
    async with engine.begin() as conn:
        for pid in junk:
            older = {**today[pid], "filtered": False, "filtered_reason": None}
            await conn.execute(
                update(price_points)
                .where(price_points.c.id == uuid.UUID(pid), price_points.c.request_id == request_id)
                .values(payload=older)
            )

    done = await replay_command(request_id)
    assert done.exit_code == 0, done.output
    assert f"{len(today)} price points, {len(junk)} changed and emitted" in done.output
    assert await stored(engine, request_id) == today  # corrected to today's normalization

    everything = await collected_events(kafka_bootstrap, item, len(today) + len(junk))
    emitted = everything[len(first) :]
    assert {e["data"]["price_point_id"] for e in emitted} == junk  # only what changed
    for event in emitted:
        assert event["data"] == today[event["data"]["price_point_id"]]
        assert event["data"]["filtered"] and event["data"]["filtered_reason"]

    again = await replay_command(request_id)
    assert again.exit_code == 0 and "0 changed and emitted" in again.output
    unknown = await replay_command(uuid.uuid4())
    assert unknown.exit_code == 1 and "no collection job" in unknown.output

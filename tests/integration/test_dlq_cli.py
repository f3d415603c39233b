"""An operator lists dead letters and re-drives them to their topic."""

from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from fairmarket.cli.dlq import read_dead_letters
from fairmarket.cli.main import app
from fairmarket.common.messaging.broker import make_broker
from fairmarket.common.messaging.dlq import dead_letter
from fairmarket.common.messaging.publisher import Publisher
from fairmarket.common.messaging.topics import ensure_topics
from fairmarket.common.settings import CommonSettings

pytestmark = pytest.mark.integration

TOPIC = "pricing.completed"


def test_list_and_replay(kafka_bootstrap: str) -> None:
    """Sync, because the CLI runs its own event loop."""
    event_id = str(uuid.uuid4())
    record = asyncio.run(put_dead_letter(kafka_bootstrap, event_id))

    letters = [
        d for d in asyncio.run(read_dead_letters(kafka_bootstrap, TOPIC)) if d.id == event_id
    ]
    assert len(letters) == 1
    assert letters[0].headers["x-dlq-offset"] == "41"
    assert "bad payload" in letters[0].headers["x-dlq-error"]

    runner = CliRunner()
    listed = runner.invoke(app, ["dlq", "list", TOPIC, "--bootstrap", kafka_bootstrap])
    assert listed.exit_code == 0 and event_id[:8] in listed.output

    before = len(asyncio.run(read_all(kafka_bootstrap, event_id)))
    replayed = runner.invoke(
        app, ["dlq", "replay", TOPIC, "--id", event_id, "--bootstrap", kafka_bootstrap]
    )
    assert replayed.exit_code == 0 and "replayed 1" in replayed.output
    again = asyncio.run(read_all(kafka_bootstrap, event_id))
    assert len(again) == before + 1
    assert not any(k.startswith("x-dlq-") for k, _ in again[-1].headers)
    assert again[-1].value == record.value and again[-1].key == record.key


async def put_dead_letter(kafka_bootstrap: str, event_id: str) -> SimpleNamespace:
    await ensure_topics(kafka_bootstrap, partitions=3)
    settings = CommonSettings(
        kafka_bootstrap=kafka_bootstrap, kafka_idempotence=False, jwt_secret="x" * 32
    )
    broker = make_broker(settings)
    await broker.connect()
    record = SimpleNamespace(
        topic=TOPIC,
        partition=2,
        offset=41,
        key=b"item-1",
        value=b'{"not": "an event"}',
        headers=[("event_id", event_id.encode())],
    )
    try:
        await dead_letter(
            Publisher(broker), record, ValueError("bad payload"), group="g", attempts=3
        )
    finally:
        await broker.stop()

    return record


async def read_all(bootstrap: str, event_id: str) -> list[Any]:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        tps = [TopicPartition(TOPIC, p) for p in consumer.partitions_for_topic(TOPIC) or ()]
        if not tps:
            await consumer.topics()
            tps = [TopicPartition(TOPIC, p) for p in consumer.partitions_for_topic(TOPIC) or ()]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        found = []
        while any([await consumer.position(tp) < end[tp] for tp in tps]):
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found.extend(
                    r for r in records if dict(r.headers).get("event_id") == event_id.encode()
                )
        return found
    finally:
        await consumer.stop()

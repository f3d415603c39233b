"""The messaging tests' parts: a throwaway service schema and broker (`Harness`), an event to
send, and reading and waiting helpers over the real broker."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import Column, MetaData, String, Table, func, select, text
from sqlalchemy.dialects.postgresql import UUID

from fairmarket.common.db import make_engine
from fairmarket.common.events import CoinAttribution, IntakeAttributed, IntakeAttributedData
from fairmarket.common.messaging.broker import make_broker
from fairmarket.common.messaging.outbox import Outbox
from fairmarket.common.messaging.publisher import Publisher
from fairmarket.common.messaging.topics import ensure_topics
from fairmarket.common.settings import CommonSettings
from fairmarket.common.tables import add_messaging_tables


def attributed(item_id: uuid.UUID | None = None, revision: int = 1) -> IntakeAttributed:
    return IntakeAttributed(
        producer="test",
        data=IntakeAttributedData(
            item_id=item_id or uuid.uuid4(),
            revision=revision,
            category="coin",
            attribution=CoinAttribution(year=1921, mintmark="D", grade="MS63"),
        ),
    )


class Harness:
    """A throwaway service schema (outbox, inbox, a table the handler writes) and broker."""

    def __init__(self, pg_url: str, bootstrap: str, unique: str) -> None:
        self.schema = f"t_{unique}"
        self.metadata = MetaData(schema=self.schema)
        self.outbox_table, self.inbox_table = add_messaging_tables(self.metadata)
        self.seen = Table(
            "seen",
            self.metadata,
            Column("event_id", UUID(as_uuid=True), primary_key=True),
            Column("item_id", String(50), nullable=False),
        )
        self.settings = CommonSettings(
            service_name=f"test-{unique}",
            database_url=pg_url,
            kafka_bootstrap=bootstrap,
            kafka_idempotence=False,
            jwt_secret="x" * 32,
            topic_partitions=3,
        )
        self.engine = make_engine(pg_url, schema=self.schema)
        self.broker = make_broker(self.settings)
        self.publisher = Publisher(self.broker)
        self.outbox = Outbox(self.outbox_table)
        self.topic = IntakeAttributed.topic

    async def setup(self) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            await conn.run_sync(self.metadata.create_all)
        await ensure_topics(self.settings.kafka_bootstrap, partitions=3)

    async def count_seen(self) -> int:
        async with self.engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(self.seen)) or 0)

    async def close(self) -> None:
        await self.broker.stop()
        await self.engine.dispose()


async def produce(bootstrap: str, topic: str, records: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for key, value in records:
            await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def read_until(bootstrap: str, topic: str, done: Any, timeout: float = 20) -> list[Any]:
    """Read the topic from the start until `done(records)` holds (or the timeout)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=f"reader-{uuid.uuid4().hex}",
        fetch_max_wait_ms=100,
    )
    await consumer.start()
    got: list[Any] = []
    try:
        async with asyncio.timeout(timeout):
            while not done(got):
                batch = await consumer.getmany(timeout_ms=200)
                for records in batch.values():
                    got.extend(records)
    except TimeoutError:
        pass
    finally:
        await consumer.stop()
    return got


async def wait_until(predicate: Any, timeout: float = 30) -> None:
    async with asyncio.timeout(timeout):
        while not await predicate():
            await asyncio.sleep(0.05)


async def at_least(value: Any, n: int) -> bool:
    return (await value) >= n

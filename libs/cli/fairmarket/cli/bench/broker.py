"""The broker's raw produce-to-consume rate through aiokafka, no service in between.

The pipeline's figure is quoted as a fraction of this: the same machine, the same
message size, one producer with large batches and one consumer.
"""

from __future__ import annotations

import asyncio
import time
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic


async def _run(bootstrap: str, messages: int, size: int, partitions: int) -> dict[str, float]:
    topic = f"bench.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, partitions, 1)])
    finally:
        await admin.close()
    payload = b"x" * size
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        linger_ms=5,
        max_batch_size=256 * 1024,
        enable_idempotence=False,
    )
    await producer.start()
    try:
        began = time.perf_counter()
        batch = []
        for i in range(messages):
            batch.append(await producer.send(topic, payload, key=str(i % 1000).encode()))
            if len(batch) >= 5000:
                await asyncio.gather(*batch)
                batch.clear()
        await asyncio.gather(*batch)
        produced = time.perf_counter() - began
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=f"bench-{topic}",
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    await consumer.start()
    try:
        seen, began = 0, time.perf_counter()
        while seen < messages:
            got = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            seen += sum(len(records) for records in got.values())
        consumed = time.perf_counter() - began
    finally:
        await consumer.stop()
    return {
        "broker_produce_msgs_per_s": messages / produced,
        "broker_consume_msgs_per_s": messages / consumed,
        "broker_msgs_per_s": messages / (produced + consumed),
    }


def run(bootstrap: str, messages: int, size: int, partitions: int = 12) -> dict[str, float]:
    return asyncio.run(_run(bootstrap, messages, size, partitions))

"""`fairmarket dlq list|replay <topic>`: see dead letters and drive them again.

Replaying republishes a dead letter to its original topic with its original key
and headers (the x-dlq-* ones dropped). Consumers dedupe by event id, so a
replay of something already handled changes nothing.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from typing import Annotated

import typer
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from fairmarket.common.events import TOPICS, dlq_topic

app = typer.Typer(help="Dead-letter topics: list and replay.", no_args_is_help=True)


@dataclass(frozen=True)
class DeadLetter:
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, str]

    @property
    def event_id(self) -> str:
        return self.headers.get("event_id", "")

    @property
    def id(self) -> str:
        """What `replay --id` matches: the event id, or partition:offset for unparsable ones."""
        return self.event_id or f"{self.partition}:{self.offset}"


def _bootstrap(value: str | None) -> str:
    return value or os.environ.get("FAIRMARKET_KAFKA_BOOTSTRAP", "127.0.0.1:9092")


async def read_dead_letters(bootstrap: str, topic: str, limit: int = 10_000) -> list[DeadLetter]:
    """Everything on `<topic>.dlq`, from the start, without committing anything."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=100
    )
    await consumer.start()
    try:
        name = dlq_topic(topic)
        partitions = consumer.partitions_for_topic(name) or set()
        if not partitions:
            await consumer.topics()  # refresh metadata once
            partitions = consumer.partitions_for_topic(name) or set()
        tps = [TopicPartition(name, p) for p in sorted(partitions)]
        if not tps:
            return []
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        found: list[DeadLetter] = []
        while len(found) < limit and await _behind(consumer, tps, end):
            for records in (await consumer.getmany(timeout_ms=500, max_records=500)).values():
                for r in records:
                    headers = {k: v.decode(errors="replace") for k, v in r.headers or ()}
                    found.append(DeadLetter(r.partition, r.offset, r.key, r.value, headers))
        return found[:limit]
    finally:
        await consumer.stop()


async def _behind(
    consumer: AIOKafkaConsumer, tps: list[TopicPartition], end: dict[TopicPartition, int]
) -> bool:
    return any([await consumer.position(tp) < end[tp] for tp in tps])


async def replay_dead_letters(bootstrap: str, letters: list[DeadLetter]) -> int:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for letter in letters:
            original = letter.headers.get("x-dlq-topic")
            if not original:
                continue
            headers = [
                (k, v.encode()) for k, v in letter.headers.items() if not k.startswith("x-dlq-")
            ]
            await producer.send_and_wait(original, letter.value, key=letter.key, headers=headers)
        return len(letters)
    finally:
        await producer.stop()


def _check_topic(topic: str) -> str:
    if topic not in TOPICS:
        raise typer.BadParameter(f"unknown topic {topic!r}; one of {', '.join(TOPICS)}")
    return topic


Topic = Annotated[str, typer.Argument(callback=_check_topic, help="the original topic")]
Bootstrap = Annotated[
    str | None, typer.Option(help="host:port (default FAIRMARKET_KAFKA_BOOTSTRAP)")
]


@app.command("list")
def list_(topic: Topic, bootstrap: Bootstrap = None, limit: int = 100) -> None:
    """Show the dead letters of a topic: id, where it came from, why."""
    from rich.console import Console
    from rich.table import Table

    letters = asyncio.run(read_dead_letters(_bootstrap(bootstrap), topic, limit))
    table = Table(title=f"{dlq_topic(topic)}: {len(letters)} dead letters")
    for column in ("id", "key", "from", "attempts", "group", "error"):
        table.add_column(column, overflow="fold")
    for d in letters:
        h = d.headers
        table.add_row(
            d.id,
            (d.key or b"").decode(errors="replace"),
            f"{h.get('x-dlq-topic', '?')}[{h.get('x-dlq-partition', '?')}]@{h.get('x-dlq-offset', '?')}",
            h.get("x-dlq-attempts", ""),
            h.get("x-dlq-group", ""),
            h.get("x-dlq-error", "")[:300],
        )
    Console().print(table)


@app.command()
def replay(
    topic: Topic,
    ids: Annotated[
        list[str] | None, typer.Option("--id", help="only these (event id or p:offset)")
    ] = None,
    bootstrap: Bootstrap = None,
) -> None:
    """Publish dead letters back to their topic (all, or the ones named)."""
    address = _bootstrap(bootstrap)
    letters = asyncio.run(read_dead_letters(address, topic))
    if ids:
        wanted = set(ids)
        letters = [d for d in letters if d.id in wanted]
        missing = wanted - {d.id for d in letters}
        if missing:
            typer.echo(f"not found: {', '.join(sorted(missing))}", err=True)
    sent = asyncio.run(replay_dead_letters(address, letters))
    typer.echo(f"replayed {sent} dead letters to {topic}")

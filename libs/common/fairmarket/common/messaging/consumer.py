"""At-least-once, idempotent batch consumption with bounded retries and dead letters.

../shared/ENGINEERING.md: FastStream's default policy commits before handling, and
NACK_ON_ERROR retries a poison record forever. So subscribers run with
`AckPolicy.MANUAL` and this wrapper decides: a batch is handled in one database
transaction (inbox claims + the handler's writes + outbox rows) and committed to
Kafka only after that commit. If the batch fails, each record is retried alone,
a bounded number of times; a record that still fails, or cannot be parsed, is
dead-lettered with its origin in the headers, and the consumer moves on.
Transient faults (database or broker down) are never dead-lettered: the batch is
sought back and fetched again after a pause.

`EventConsumer` hands a batch's events to one handler in one transaction;
`PreparingConsumer` first prepares each event outside any transaction (slow work), then
handles (event, prepared) in the event's own transaction. Both share `BaseConsumer`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, Required, TypedDict, TypeVar, Unpack, cast

from aiokafka import TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from fairmarket.common.events import Envelope
from fairmarket.common.messaging import inbox
from fairmarket.common.messaging.dlq import dead_letter
from fairmarket.common.messaging.faults import is_transient
from fairmarket.common.messaging.outbox import Outbox
from fairmarket.common.messaging.publisher import Publisher
from fairmarket.common.metrics import (
    CONSUMER_LAG,
    HANDLER_LATENCY,
    IN_FLIGHT,
    MESSAGES_DEAD_LETTERED,
    MESSAGES_DUPLICATE,
    MESSAGES_FAILED,
    MESSAGES_HANDLED,
    init_consumer_series,
)
from fairmarket.common.tracing import consuming

log = logging.getLogger(__name__)

Handler = Callable[[AsyncConnection, list[Envelope[Any]]], Awaitable[None]]
"""A plain consumer's handler: the fresh events of a batch, in the batch's transaction."""
Item = tuple[Any, Envelope[Any]]  # (the Kafka record, its parsed event)
E = TypeVar("E", bound=Envelope[Any])
P = TypeVar("P")


class SchemaMismatch(ValueError):
    """The record is valid JSON of another event type than the topic carries."""


class ConsumerOptions(TypedDict, total=False):
    """What every consumer is built with, whatever its handler's shape."""

    models: Required[Sequence[type[Envelope[Any]]]]
    group: Required[str]
    engine: Required[AsyncEngine]
    inbox_table: Required[Table]
    publisher: Required[Publisher]
    outbox: Outbox | None
    max_attempts: int
    batch_size: int
    retry_backoff: float
    transient_backoff: float


class BaseConsumer:
    """The fault tolerance every consumer shares (inbox, offsets, retries, dead letters);
    subclasses decide how a batch's parsed records reach their handler."""

    def __init__(
        self,
        *,
        models: Sequence[type[Envelope[Any]]],
        group: str,
        engine: AsyncEngine,
        inbox_table: Table,
        publisher: Publisher,
        outbox: Outbox | None = None,
        max_attempts: int = 3,
        batch_size: int = 500,
        retry_backoff: float = 0.1,
        transient_backoff: float = 1.0,
    ) -> None:
        self.models = {m.topic: m for m in models}
        self.topics = list(self.models)
        self.group = group
        self.engine = engine
        self.inbox_table = inbox_table
        self.publisher = publisher
        self.outbox = outbox
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.retry_backoff = retry_backoff
        self.transient_backoff = transient_backoff
        self._lag: dict[tuple[str, int], int] = {}

    def attach(self, broker: KafkaBroker) -> None:
        init_consumer_series(self.topics, self.group)  # at 0, so increase() sees the first
        broker.subscriber(
            *self.topics,
            group_id=self.group,
            batch=True,
            max_records=self.batch_size,
            batch_timeout_ms=100,
            fetch_max_wait_ms=100,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.MANUAL,
            max_poll_interval_ms=300_000,
        )(self.on_batch)

    def parse(self, record: Any) -> Envelope[Any]:
        if not record.value:
            raise SchemaMismatch("empty record")
        return self.models[record.topic].model_validate_json(record.value)

    async def on_batch(self, msg: KafkaMessage) -> None:
        raw = msg.raw_message
        records = list(raw) if isinstance(raw, tuple) else [raw]
        by_topic = Counter(r.topic for r in records)
        for topic, n in by_topic.items():
            IN_FLIGHT.labels(topic, self.group).set(n)
        started = time.perf_counter()
        try:
            await self._handle_records(records)
        except Exception as exc:
            for topic in by_topic:
                MESSAGES_FAILED.labels(topic, self.group, "transient").inc()
            log.warning(
                "transient fault; batch will be fetched again",
                extra={"group": self.group, "error": repr(exc)[:500]},
            )
            self._observe_lag(msg, records, handled=False)  # stuck, not frozen: all lag
            await asyncio.sleep(self.transient_backoff)
            await msg.nack()
            return
        finally:
            for topic in by_topic:
                IN_FLIGHT.labels(topic, self.group).set(0)
        await msg.ack()
        elapsed = time.perf_counter() - started
        for topic, n in by_topic.items():
            HANDLER_LATENCY.labels(topic, self.group).observe(elapsed)
            MESSAGES_HANDLED.labels(topic, self.group).inc(n)
        self._observe_lag(msg, records)

    async def _handle_records(self, records: Sequence[Any]) -> None:
        """Handle every record or dead-letter it; raises only on transient faults."""
        raise NotImplementedError

    async def _parse_all(self, records: Sequence[Any]) -> list[Item]:
        """The records that parse; the others are dead-lettered at once."""
        parsed: list[Item] = []
        for record in records:
            try:
                parsed.append((record, self.parse(record)))
            except Exception as exc:  # whatever the bytes are, they will not parse next time
                await self._dead_letter(record, exc, attempts=1)
        return parsed

    async def _retry_alone(self, item: Item, handler: Handler) -> None:
        record, _ = item
        last: BaseException | None = None
        for attempt in range(1, self.max_attempts + 1):
            try:
                await self._process([item], handler)
                return
            except Exception as exc:
                if is_transient(exc):
                    raise
                last = exc
                MESSAGES_FAILED.labels(record.topic, self.group, "poison").inc()
                await asyncio.sleep(self.retry_backoff * 2 ** (attempt - 1))
        assert last is not None
        await self._dead_letter(record, last, attempts=self.max_attempts)

    async def _process(self, items: Sequence[Item], handler: Handler) -> None:
        with consuming([r for r, _ in items], self.group):
            await self._transaction(items, handler)
        if self.outbox is not None:
            self.outbox.notify()

    async def _transaction(self, items: Sequence[Item], handler: Handler) -> None:
        async with self.engine.begin() as conn:
            fresh = await inbox.claim(
                conn, self.inbox_table, self.group, [(r.topic, e.event_id) for r, e in items]
            )
            events: list[Envelope[Any]] = []
            for record, event in items:
                if event.event_id in fresh:
                    fresh.discard(event.event_id)
                    events.append(event)
                else:
                    MESSAGES_DUPLICATE.labels(record.topic, self.group).inc()
            if events:
                await handler(conn, events)

    async def _dead_letter(self, record: Any, exc: BaseException, *, attempts: int) -> None:
        log.error(
            "dead-lettering record",
            extra={
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "error": repr(exc)[:500],
            },
        )
        await dead_letter(self.publisher, record, exc, group=self.group, attempts=attempts)
        MESSAGES_DEAD_LETTERED.labels(record.topic, self.group).inc()

    def _observe_lag(
        self, msg: KafkaMessage, records: Sequence[Any], *, handled: bool = True
    ) -> None:
        """Records behind the high watermark per partition: after the batch's last record
        when it was handled, from its first when it was not (it will be fetched again)."""
        consumer = getattr(msg, "consumer", None)
        if consumer is None or not hasattr(consumer, "highwater"):
            return
        position: dict[tuple[str, int], int] = {}
        for r in records:
            tp = (r.topic, r.partition)
            if handled:
                position[tp] = max(position.get(tp, 0), r.offset + 1)
            else:
                position[tp] = min(position.get(tp, r.offset), r.offset)
        for (topic, partition), offset in position.items():
            high = consumer.highwater(TopicPartition(topic, partition))
            if high is not None:
                self._lag[(topic, partition)] = max(high - offset, 0)
        for topic in {t for t, _ in position}:
            lag = sum(v for (t, _), v in self._lag.items() if t == topic)
            CONSUMER_LAG.labels(topic, self.group).set(lag)


class EventConsumer(BaseConsumer):
    """A batch in one transaction; if it fails, each record alone, then dead-lettered."""

    def __init__(self, *, handler: Handler, **options: Unpack[ConsumerOptions]) -> None:
        super().__init__(**options)
        self.handler = handler

    async def _handle_records(self, records: Sequence[Any]) -> None:
        parsed = await self._parse_all(records)
        if not parsed:
            return
        try:
            await self._process(parsed, self.handler)
            return
        except Exception as exc:
            if is_transient(exc):
                raise
            log.warning(
                "batch failed; retrying its records one by one",
                extra={"group": self.group, "error": repr(exc)[:500]},
            )
        for item in parsed:
            await self._retry_alone(item, self.handler)


class PreparingConsumer(BaseConsumer, Generic[E, P]):
    """Two steps per event: `prepare` does slow work outside any transaction (a marketplace
    call), then `handle` stores the event and what was prepared in the event's own
    transaction as soon as its work is done, so one slow record holds back no other."""

    def __init__(
        self,
        *,
        prepare: Callable[[E], Awaitable[P]],
        handle: Callable[[AsyncConnection, E, P], Awaitable[None]],
        prepare_concurrency: int = 8,
        **options: Unpack[ConsumerOptions],
    ) -> None:
        super().__init__(**options)
        self.prepare = prepare
        self.handle = handle
        self.prepare_concurrency = prepare_concurrency

    def _handler(self, prepared: P) -> Handler:
        async def handler(conn: AsyncConnection, events: list[Envelope[Any]]) -> None:
            for event in events:  # one record per transaction: at most one fresh event
                await self.handle(conn, cast(E, event), prepared)

        return handler

    async def _handle_records(self, records: Sequence[Any]) -> None:
        parsed = await self._parse_all(records)
        if not parsed:
            return
        async with self.engine.connect() as conn:
            ids = [e.event_id for _, e in parsed]
            seen = await inbox.handled(conn, self.inbox_table, self.group, ids)
        gate = asyncio.Semaphore(self.prepare_concurrency)  # transactions, not the prepare

        async def one(item: Item) -> None:
            record, event = item
            if event.event_id in seen:  # redelivered: no need to do its slow work again
                MESSAGES_DUPLICATE.labels(record.topic, self.group).inc()
                return
            try:
                prepared = await self.prepare(cast(E, event))
            except Exception as exc:
                if is_transient(exc):
                    raise
                await self._dead_letter(record, exc, attempts=1)
                return
            async with gate:
                await self._retry_alone(item, self._handler(prepared))

        async with asyncio.TaskGroup() as tasks:  # a transient fault cancels the others
            for item in parsed:
                tasks.create_task(one(item))

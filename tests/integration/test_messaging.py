"""The outbox relay and the idempotent consumer against a real PostgreSQL and broker."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from messaging_support import Harness, at_least, attributed, produce, read_until, wait_until
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.common.events import (
    IntakeAttributed,
    dlq_topic,
)
from fairmarket.common.messaging.consumer import EventConsumer, PreparingConsumer
from fairmarket.common.messaging.outbox import OutboxRelay
from fairmarket.common.messaging.topics import ensure_topics

pytestmark = pytest.mark.integration


async def test_outbox_rows_are_published_in_order_and_marked_sent(harness: Harness) -> None:
    item = uuid.uuid4()
    events = [attributed(item, revision=r) for r in range(1, 6)]
    async with harness.engine.begin() as conn:
        await harness.outbox.add(conn, events)
    await harness.broker.connect()
    relay = OutboxRelay(
        engine=harness.engine,
        outbox=harness.outbox,
        publisher=harness.publisher,
        schema=harness.schema,
    )
    assert await relay.drain() == 5
    assert await relay.drain() == 0  # nothing is published twice

    async with harness.engine.connect() as conn:
        unsent = await conn.scalar(
            select(func.count())
            .select_from(harness.outbox_table)
            .where(harness.outbox_table.c.sent_at.is_(None))
        )
    assert unsent == 0
    key = str(item).encode()
    records = await read_until(
        harness.settings.kafka_bootstrap,
        harness.topic,
        lambda got: sum(r.key == key for r in got) >= 5,
    )
    mine = [
        IntakeAttributed.model_validate_json(r.value)
        for r in records
        if r.key == str(item).encode()
    ]
    assert [e.data.revision for e in mine] == [1, 2, 3, 4, 5]
    headers = dict(next(r for r in records if r.key == str(item).encode()).headers)
    assert headers["event_id"] == str(events[0].event_id).encode()


async def test_a_rolled_back_state_change_publishes_nothing(harness: Harness) -> None:
    with pytest.raises(RuntimeError):
        async with harness.engine.begin() as conn:
            await harness.outbox.add(conn, [attributed()])
            raise RuntimeError("the state change failed")
    async with harness.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(harness.outbox_table)) == 0


async def test_consumer_handles_each_event_once_and_dead_letters_poison(
    harness: Harness, unique: str
) -> None:
    good = [attributed() for _ in range(5)]
    cursed = attributed(revision=13)
    ours = {e.data.item_id for e in [*good, cursed]}

    async def handler(conn: AsyncConnection, events: list[Any]) -> None:
        for e in events:
            if e.data.item_id not in ours:
                continue  # the topic is shared with other tests of the session
            if e.data.revision == 13:
                raise ValueError("revision 13 is cursed")
            await conn.execute(
                harness.seen.insert().values(event_id=e.event_id, item_id=str(e.data.item_id))
            )

    consumer = EventConsumer(
        models=[IntakeAttributed],
        group=f"g-{unique}",
        handler=handler,
        engine=harness.engine,
        inbox_table=harness.inbox_table,
        publisher=harness.publisher,
        max_attempts=2,
        retry_backoff=0.01,
    )
    consumer.attach(harness.broker)
    await harness.broker.start()

    records = [(e.key.encode(), e.model_dump_json().encode()) for e in good]
    records.append((good[0].key.encode(), good[0].model_dump_json().encode()))  # a redelivery
    records.append((b"junk", b"{not json"))
    records.append((cursed.key.encode(), cursed.model_dump_json().encode()))
    await produce(harness.settings.kafka_bootstrap, harness.topic, records)

    await wait_until(lambda: at_least(harness.count_seen(), 5))
    group = f"g-{unique}".encode()
    dead = await read_until(
        harness.settings.kafka_bootstrap,
        dlq_topic(harness.topic),
        lambda got: (
            {b"junk", cursed.key.encode()}
            <= {r.key for r in got if dict(r.headers).get("x-dlq-group") == group}
        ),
    )
    mine = [r for r in dead if dict(r.headers).get("x-dlq-group") == group]
    mine_by_key = {r.key: dict(r.headers) for r in mine}
    assert {b"junk", cursed.key.encode()} <= set(mine_by_key)
    assert not {e.key.encode() for e in good} & set(mine_by_key)
    junk = mine_by_key[b"junk"]
    assert junk["x-dlq-topic"] == harness.topic.encode()
    assert "x-dlq-offset" in junk and "x-dlq-partition" in junk
    assert b"cursed" in mine_by_key[cursed.key.encode()]["x-dlq-error"]
    assert mine_by_key[cursed.key.encode()]["x-dlq-attempts"] == b"2"
    async with harness.engine.connect() as conn:
        seen = set((await conn.execute(select(harness.seen.c.event_id))).scalars())
    assert seen == {e.event_id for e in good}  # once each, the redelivery changed nothing


async def test_a_preparing_consumer_hands_each_event_its_own_prepared_work_once(
    harness: Harness, unique: str
) -> None:
    """Prepared outside the transaction, stored with the event; a redelivery is not prepared
    again; a failing prepare is dead-lettered at once, a failing handle after its retries."""
    good = [attributed() for _ in range(4)]
    unpreparable, unstorable = attributed(revision=13), attributed(revision=7)
    ours = {e.data.item_id for e in [*good, unpreparable, unstorable]}
    prepared: list[uuid.UUID] = []

    async def prepare(event: IntakeAttributed) -> str:
        if event.data.item_id not in ours:
            return ""  # the topic is shared with other tests of the session
        prepared.append(event.event_id)
        if event.data.revision == 13:
            raise ValueError("revision 13 cannot be prepared")
        return f"p{event.data.revision}-{event.data.item_id}"

    async def handle(conn: AsyncConnection, event: IntakeAttributed, work: str) -> None:
        if event.data.item_id not in ours:
            return
        if event.data.revision == 7:
            raise ValueError("revision 7 cannot be stored")
        await conn.execute(harness.seen.insert().values(event_id=event.event_id, item_id=work))

    consumer = PreparingConsumer[IntakeAttributed, str](
        prepare=prepare,
        handle=handle,
        models=[IntakeAttributed],
        group=f"g-{unique}",
        engine=harness.engine,
        inbox_table=harness.inbox_table,
        publisher=harness.publisher,
        max_attempts=2,
        retry_backoff=0.01,
    )
    consumer.attach(harness.broker)
    await harness.broker.start()
    await produce(
        harness.settings.kafka_bootstrap,
        harness.topic,
        [(e.key.encode(), e.model_dump_json().encode()) for e in [*good, unpreparable, unstorable]],
    )
    await wait_until(lambda: at_least(harness.count_seen(), len(good)))
    # the first event again, then a marker on its key (so its partition, after it)
    marker = attributed(item_id=good[0].data.item_id, revision=2)
    again = [(e.key.encode(), e.model_dump_json().encode()) for e in (good[0], marker)]
    await produce(harness.settings.kafka_bootstrap, harness.topic, again)
    await wait_until(lambda: at_least(harness.count_seen(), len(good) + 1))

    group = f"g-{unique}".encode()
    keys = {unpreparable.key.encode(), unstorable.key.encode()}
    dead = await read_until(
        harness.settings.kafka_bootstrap,
        dlq_topic(harness.topic),
        lambda got: keys <= {r.key for r in got if dict(r.headers).get("x-dlq-group") == group},
    )
    mine = {r.key: dict(r.headers) for r in dead if dict(r.headers).get("x-dlq-group") == group}
    assert keys <= set(mine)  # records of other tests on the topic may be there too
    assert not {e.key.encode() for e in good} & set(mine)
    assert b"cannot be prepared" in mine[unpreparable.key.encode()]["x-dlq-error"]
    assert mine[unpreparable.key.encode()]["x-dlq-attempts"] == b"1"
    assert b"cannot be stored" in mine[unstorable.key.encode()]["x-dlq-error"]
    assert mine[unstorable.key.encode()]["x-dlq-attempts"] == b"2"
    async with harness.engine.connect() as conn:
        stored = dict((await conn.execute(select(harness.seen))).tuples().all())
    assert stored == {e.event_id: f"p{e.data.revision}-{e.data.item_id}" for e in [*good, marker]}
    assert prepared.count(good[0].event_id) == 1  # the redelivery was not prepared again


async def test_a_consumer_stuck_on_transient_faults_reports_its_records_as_lag(
    harness: Harness, unique: str
) -> None:
    from prometheus_client import REGISTRY

    from fairmarket.common.metrics import MESSAGES_FAILED

    group = f"g-{unique}"
    batches: list[int] = []

    async def handler(conn: AsyncConnection, events: list[Any]) -> None:
        batches.append(len(events))
        raise ConnectionError("the database is unreachable")  # transient: never dead-lettered

    consumer = EventConsumer(
        models=[IntakeAttributed],
        group=group,
        handler=handler,
        engine=harness.engine,
        inbox_table=harness.inbox_table,
        publisher=harness.publisher,
        transient_backoff=0.05,
    )
    consumer.attach(harness.broker)
    await harness.broker.start()
    events = [attributed() for _ in range(5)]
    await produce(
        harness.settings.kafka_bootstrap,
        harness.topic,
        [(e.key.encode(), e.model_dump_json().encode()) for e in events],
    )
    failed = MESSAGES_FAILED.labels(harness.topic, group, "transient")

    async def failed_twice() -> bool:
        return failed._value.get() >= 2

    await wait_until(failed_twice)
    lag = REGISTRY.get_sample_value(
        "fairmarket_consumer_lag_messages", {"topic": harness.topic, "group": group}
    )
    assert lag is not None and lag >= max(batches) > 0  # nothing of the batch was handled


async def test_log_lines_written_while_handling_carry_the_records_trace_id(
    harness: Harness, unique: str
) -> None:
    import json
    import logging
    from typing import ClassVar

    from fairmarket.common.logs import JsonFormatter

    class Traced(IntakeAttributed):  # a topic of its own: every record on it is this test's
        topic: ClassVar[str] = f"t.traced.{unique}"

    await ensure_topics(harness.settings.kafka_bootstrap, partitions=1, topics=[Traced.topic])
    trace_id, span_id = uuid.uuid4().hex, uuid.uuid4().hex[:16]
    lines: list[dict[str, Any]] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(json.loads(JsonFormatter("test").format(record)))

    handler_log = logging.getLogger(f"fairmarket.test.traced.{unique}")
    handler_log.addHandler(Capture())
    handler_log.setLevel(logging.INFO)

    async def handler(conn: AsyncConnection, events: list[Any]) -> None:
        handler_log.info("handling", extra={"events": len(events)})

    consumer = EventConsumer(
        models=[Traced],
        group=f"g-{unique}",
        handler=handler,
        engine=harness.engine,
        inbox_table=harness.inbox_table,
        publisher=harness.publisher,
    )
    consumer.attach(harness.broker)
    await harness.broker.start()
    event = Traced.model_validate(attributed().model_dump())
    producer = AIOKafkaProducer(bootstrap_servers=harness.settings.kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            Traced.topic,
            event.model_dump_json().encode(),
            key=event.key.encode(),
            headers=[("traceparent", f"00-{trace_id}-{span_id}-01".encode())],
        )
    finally:
        await producer.stop()

    async def logged() -> bool:
        return bool(lines)

    await wait_until(logged)
    assert [(line["msg"], line.get("trace_id")) for line in lines] == [("handling", trace_id)]

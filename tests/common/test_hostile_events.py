"""Hostile and malformed records never crash a consumer: they are refused at parsing and
dead-lettered with their origin, before any handler or database sees them."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from fairmarket.common.events import EVENT_TYPES, IntakeAttributed, PricePointCollected
from fairmarket.common.messaging.consumer import EventConsumer, SchemaMismatch

consumer = EventConsumer(
    models=list(EVENT_TYPES.values()),
    group="g",
    handler=None,  # type: ignore[arg-type]
    engine=None,  # type: ignore[arg-type]
    inbox_table=None,  # type: ignore[arg-type]
    publisher=None,  # type: ignore[arg-type]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=50),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=30,
)


def record(topic: str, value: bytes) -> Any:
    return SimpleNamespace(topic=topic, value=value, key=b"k", partition=0, offset=0, headers=[])


# How the consumer refuses a record: the contract's validation, or another event type on the
# topic. Any other exception (a TypeError from a bug) is not a refusal and fails the test.
REFUSALS = (ValidationError, SchemaMismatch)


def refused(topic: str, value: bytes) -> bool:
    try:
        consumer.parse(record(topic, value))
    except REFUSALS:
        return True
    return False


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(list(EVENT_TYPES)), st.binary(max_size=2000))
def test_random_bytes_are_refused(topic: str, value: bytes) -> None:
    assert refused(topic, value)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(list(EVENT_TYPES)), json_values)
def test_arbitrary_json_is_refused(topic: str, value: Any) -> None:
    assert refused(topic, json.dumps(value).encode())


def valid_collected() -> dict[str, Any]:
    return {
        "event_type": "pricepoint.collected",
        "producer": "p",
        "data": {
            "price_point_id": "6f1c2d0e-8b1a-4f5e-9c3d-0e0b5a1d2c01",
            "item_id": "6f1c2d0e-8b1a-4f5e-9c3d-0e0b5a1d2c02",
            "revision": 1,
            "request_id": "6f1c2d0e-8b1a-4f5e-9c3d-0e0b5a1d2c03",
            "source": {"id": "6f1c2d0e-8b1a-4f5e-9c3d-0e0b5a1d2c04", "name": "e", "adapter": "e"},
            "kind": "sold",
            "title": "t",
            "price": "1.00",
            "currency": "USD",
            "total_usd_cents": 100,
            "observed_at": "2026-01-01T00:00:00Z",
            "match_score": 1,
        },
    }


def test_a_valid_event_parses_and_its_mutations_do_not() -> None:
    good = valid_collected()
    assert not refused(PricePointCollected.topic, json.dumps(good).encode())
    mutations = [
        ("schema_version", 2),
        ("event_type", "intake.attributed"),
        ("occurred_at", "yesterday"),
    ]
    for field, value in mutations:
        assert refused(PricePointCollected.topic, json.dumps({**good, field: value}).encode())
    for field, value in [
        ("total_usd_cents", -5),
        ("match_score", 7),
        ("title", "x" * 100_000),
        ("currency", "DOLLARS"),
        ("kind", "stolen"),
    ]:
        bad = {**good, "data": {**good["data"], field: value}}
        assert refused(PricePointCollected.topic, json.dumps(bad).encode()), field
    missing_envelope = good["data"]
    assert refused(PricePointCollected.topic, json.dumps(missing_envelope).encode())
    assert refused(IntakeAttributed.topic, json.dumps(good).encode())
    deep = "[" * 100_000 + "]" * 100_000
    assert refused(PricePointCollected.topic, deep.encode())


class RecordingPublisher:
    """The broker's side of dead-lettering, recorded (the consumer under test is real)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes, dict[str, str]]] = []

    async def publish_many(self, records: Any) -> None:
        self.sent.extend(records)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(EVENT_TYPES)),
            st.binary(max_size=500) | json_values.map(lambda v: json.dumps(v).encode()),
        ),
        min_size=1,
        max_size=8,
    )
)
async def test_a_hostile_batch_is_dead_lettered_whole_with_no_write(batch: Any) -> None:
    """No database at all behind this consumer: touching it, or calling the handler, fails."""
    publisher = RecordingPublisher()

    async def handler(conn: Any, events: list[Any]) -> None:
        raise AssertionError("a hostile record reached the handler")

    hostile = EventConsumer(
        models=list(EVENT_TYPES.values()),
        group="g",
        handler=handler,
        engine=None,  # type: ignore[arg-type]
        inbox_table=None,  # type: ignore[arg-type]
        publisher=publisher,  # type: ignore[arg-type]
    )
    records = [
        SimpleNamespace(topic=t, value=v, key=b"k", partition=2, offset=i, headers=[])
        for i, (t, v) in enumerate(batch)
    ]
    await hostile._handle_records(records)
    assert [(topic, payload) for topic, _, payload, _ in publisher.sent] == [
        (f"{t}.dlq", v) for t, v in batch
    ]
    for (_, _, _, headers), r in zip(publisher.sent, records, strict=True):
        assert headers["x-dlq-topic"] == r.topic and headers["x-dlq-error"], headers
        assert headers["x-dlq-error-type"] in {e.__name__ for e in REFUSALS}, headers
        assert (headers["x-dlq-partition"], headers["x-dlq-offset"]) == ("2", str(r.offset))

"""Labelled counters the alert rules read exist at 0 before their first event.

`increase()` over a series born at 1 reads 0 (deploy/prometheus/rules.test.yml
shows it), so a rule would miss the first dead letter or dead webhook of each
process unless the series is created at 0 as soon as its labels are known.
"""

from __future__ import annotations

import logging
import uuid

from prometheus_client import REGISTRY
from sqlalchemy import MetaData

from fairmarket.common.db import make_engine
from fairmarket.common.events import IntakeAttributed
from fairmarket.common.messaging.broker import make_broker
from fairmarket.common.messaging.consumer import EventConsumer
from fairmarket.common.messaging.publisher import Publisher
from fairmarket.common.settings import CommonSettings
from fairmarket.common.tables import add_messaging_tables

NOWHERE = "postgresql+asyncpg://postgres@127.0.0.1:1/none"  # never connected to


def _value(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


async def test_a_consumer_creates_its_series_at_zero_when_it_attaches() -> None:
    settings = CommonSettings(jwt_secret="x" * 32, database_url=NOWHERE)  # type: ignore[arg-type]
    broker = make_broker(settings)
    engine = make_engine(NOWHERE, schema="t")
    _, inbox = add_messaging_tables(MetaData(schema="t"))
    group = f"g-{uuid.uuid4().hex[:10]}"

    async def handler(conn: object, events: list[object]) -> None:
        pass

    consumer = EventConsumer(
        models=[IntakeAttributed],
        group=group,
        handler=handler,  # type: ignore[arg-type]
        engine=engine,
        inbox_table=inbox,
        publisher=Publisher(broker),
    )
    topic = IntakeAttributed.topic
    labels = {"topic": topic, "group": group}
    assert _value("fairmarket_messages_dead_lettered_total", **labels) is None
    consumer.attach(broker)
    for name in (
        "fairmarket_messages_handled_total",
        "fairmarket_messages_duplicate_total",
        "fairmarket_messages_dead_lettered_total",
        "fairmarket_consumer_lag_messages",
        "fairmarket_messages_in_flight",
    ):
        assert _value(name, **labels) == 0, name
    for fault in ("transient", "poison"):
        assert _value("fairmarket_messages_failed_total", **labels, fault=fault) == 0
    await engine.dispose()


def test_the_catalog_creates_every_webhook_outcome_at_zero_when_it_starts() -> None:
    from fairmarket.catalog.app import create_app
    from fairmarket.catalog.settings import CatalogSettings

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        create_app(CatalogSettings(jwt_secret="x" * 32, database_url=NOWHERE))  # type: ignore[arg-type]
    finally:
        root.handlers[:], root.level = handlers, level
    for outcome in ("delivered", "retry", "dead"):
        value = _value("fairmarket_catalog_webhook_deliveries_total", outcome=outcome)
        assert value is not None, outcome
    for status in ("ok", "partial", "failed"):
        value = _value("fairmarket_catalog_pricing_requests_completed_total", status=status)
        assert value is not None, status
    # the catalog consumes its topics: their handled/dead-lettered series exist too
    assert (
        _value(
            "fairmarket_messages_handled_total",
            topic="valuation.computed",
            group="fairmarket.catalog",
        )
        is not None
    )

"""Re-queuing the outboxes' recent events for a fresh broker, against a real PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from fairmarket.common.db import make_engine
from fairmarket.common.messaging.resend import outbox_table, requeue_recent, still_unsent

pytestmark = pytest.mark.integration


async def test_the_window_ends_at_the_last_send_not_now_and_is_bounded(migrated_db: str) -> None:
    engine = make_engine(migrated_db, schema="public", pool_size=1)
    stopped = datetime.now(UTC) - timedelta(hours=9)  # a power cut last night
    ages = {"intake": [0, 4, 6, 30], "catalog": [1, 10]}  # minutes before the last send
    async with engine.begin() as conn:
        for schema, minutes in ages.items():
            t = outbox_table(schema)
            await conn.execute(t.delete())
            rows = [
                {
                    "event_id": uuid.uuid4(),
                    "topic": "t",
                    "key": "k",
                    "payload": b"{}",
                    "sent_at": stopped - timedelta(minutes=m),
                }
                for m in minutes
            ]
            await conn.execute(t.insert(), rows)
        valuation = outbox_table("valuation")
        await conn.execute(valuation.delete())
        await conn.execute(  # never sent: the relay sends it anyway, nothing to re-queue
            valuation.insert(),
            [{"event_id": uuid.uuid4(), "topic": "t", "key": "k", "payload": b""}],
        )
    try:
        resend = await requeue_recent(
            engine, ["intake", "catalog", "valuation"], timedelta(minutes=5)
        )
        assert resend.anchor == stopped
        assert {o.schema: o.events for o in resend.outboxes} == {"intake": 2, "catalog": 1}
        assert resend.summary() == "re-sent 3 events from 2 outboxes"
        assert await still_unsent(engine, resend) == 3

        async with engine.begin() as conn:  # the relays publish them again
            for schema in ("intake", "catalog"):
                t = outbox_table(schema)
                await conn.execute(update(t).where(t.c.sent_at.is_(None)).values(sent_at=stopped))
            older = outbox_table("intake")
            kept = await conn.scalar(select(older.c.sent_at).order_by(older.c.sent_at).limit(1))
        assert kept == stopped - timedelta(minutes=30)  # outside the window: left alone
        assert await still_unsent(engine, resend) == 0
        empty = await requeue_recent(engine, ["collector"], timedelta(minutes=5))
        assert (empty.events, empty.anchor) == (0, None)  # a first start: nothing sent yet
    finally:
        await engine.dispose()

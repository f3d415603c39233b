"""Re-pricing on each source's cadence: the items whose last request to a source is older
than the source's cadence (or than an admin's reprice request) get a pricing run.

With several catalog replicas, one schedules at a time: each tick runs in one
transaction holding a transaction-scoped Postgres advisory lock, so a replica
that dies mid-tick drops its connection, the lock with it, and the next tick of
any other replica takes over. Work is bounded per tick; the rest waits a tick.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from fairmarket.catalog.db import items
from fairmarket.catalog.metrics import SCHEDULER_OLDEST_STALE
from fairmarket.catalog.pricing import RunAsk, start_runs
from fairmarket.common.messaging.outbox import Outbox
from fairmarket.common.uow import UnitsOfWork

log = logging.getLogger(__name__)

LOCK_KEY = 0x66_6D_73_63_68_65_64  # "fmsched": one key for the whole catalog schema

STALE = text(
    """
    SELECT i.id AS item_id, s.name AS source,
           extract(epoch FROM now() - CASE
               WHEN l.last IS NULL THEN i.created_at
               WHEN l.last < s.reprice_after THEN s.reprice_after
               ELSE l.last + make_interval(hours => s.cadence_hours)
           END) AS overdue_seconds
    FROM items i
    JOIN sources s
      ON s.enabled AND (jsonb_array_length(s.categories) = 0 OR s.categories ? i.category)
    LEFT JOIN LATERAL (
        SELECT max(r.created_at) AS last FROM pricing_requests r
        WHERE r.item_id = i.id AND r.source_id = s.id
    ) l ON true
    WHERE l.last IS NULL
       OR l.last < now() - make_interval(hours => s.cadence_hours)
       OR l.last < s.reprice_after
    ORDER BY l.last NULLS FIRST, i.id
    LIMIT :limit
    """
)


@dataclass(frozen=True)
class TickReport:
    leader: bool
    runs: int = 0
    requests: int = 0


class Scheduler:
    def __init__(
        self, engine: AsyncEngine, outbox: Outbox, *, batch: int, interval_seconds: float
    ) -> None:
        self.engine = engine
        self.outbox = outbox
        self.units = UnitsOfWork(engine, outbox)
        self.batch = batch
        self.interval = interval_seconds

    async def _stale(self, conn: AsyncConnection) -> dict[Any, list[str]]:
        rows = (await conn.execute(STALE, {"limit": self.batch})).all()
        oldest = max((max(float(r.overdue_seconds or 0), 0.0) for r in rows), default=0.0)
        SCHEDULER_OLDEST_STALE.set(oldest)
        due: dict[Any, list[str]] = {}
        for r in rows:
            due.setdefault(r.item_id, []).append(r.source)
        return due

    async def tick(self) -> TickReport:
        """One round: lead or step aside, then start runs for up to `batch` stale pairs."""
        async with self.units.begin() as uow:
            conn = uow.conn
            leader = await conn.scalar(select(text(f"pg_try_advisory_xact_lock({LOCK_KEY})")))
            if not leader:  # 0, not this replica's last value as leader: max() is the leader's
                SCHEDULER_OLDEST_STALE.set(0)
                return TickReport(leader=False)
            due = await self._stale(conn)
            if not due:
                return TickReport(leader=True)
            rows = (await conn.execute(select(items).where(items.c.id.in_(list(due))))).all()
            asks = [RunAsk(i, "scheduled", "scheduler", due[i.id]) for i in rows]
            started = await start_runs(conn, asks)
            events = [e for _, run_events in started for e in run_events]
            uow.raise_events(events)  # written, and the relay woken, with the commit
            requests = len(events)
        return TickReport(leader=True, runs=len(rows), requests=requests)

    async def run_forever(self) -> None:
        while True:
            try:
                report = await self.tick()
                if report.runs:
                    log.info(
                        "scheduled re-pricing",
                        extra={"runs": report.runs, "requests": report.requests},
                    )
            except asyncio.CancelledError:
                raise
            except Exception:  # a database blip must not end the scheduler
                log.exception("scheduler tick failed")
            await asyncio.sleep(self.interval)

"""No pricing request waits forever: re-request the unanswered, then give them up.

The collector ends every request it receives with a `pricing.completed` within its
own deadline, so a request still pending after `PRICING_ANSWER_SECONDS` was lost on
the way (a broker that died with it, a collector that is down or broken). The
watchdog sends it again, same request id and run (the collector's job and price
point ids are keyed by them, so an answer to either send is the same answer), up to
`PRICING_TRIES` sends in all; then it marks the request failed with the reason
("no answer from the collector after 3 tries").

The valuation values a run once every request of it has completed, so a given-up
request must complete there too: in the same transaction as the failed row, the
catalog emits a `pricing.completed` (status failed, nothing collected, producer
`catalog`) for it. One writer per fact still holds: the catalog owns pricing runs and
is the only writer of a request's row; the collector writes what it collected, the
catalog writes that it stopped waiting. The valuation keeps the first completion of a
request, so comps that did arrive are valued with the rest of the run, and a late
answer's comps only make a newer valuation. The catalog's own consumer skips its
echo (the row is already written) but lets a late collector answer replace the
failure with what was really collected.

One replica watches at a time (a transaction-scoped advisory lock, as the
scheduler), a bounded batch per tick; the rest waits a tick.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from fairmarket.catalog.db import items, pricing_requests, sources
from fairmarket.catalog.metrics import (
    PRICING_REQUESTS_GIVEN_UP,
    PRICING_REQUESTS_RETRIED,
    PRICING_REQUESTS_STUCK,
)
from fairmarket.catalog.pricing import RunAsk, failed_completion, request_event
from fairmarket.common.db import among
from fairmarket.common.events import PricingCompleted, SourceRef
from fairmarket.common.messaging.outbox import Outbox
from fairmarket.common.uow import UnitOfWork, UnitsOfWork

log = logging.getLogger(__name__)

LOCK_KEY = 0x66_6D_77_61_74_63_68  # "fmwatch"

STUCK = text(
    """
    SELECT r.id, r.run_id, r.item_id, r.source_id, r.source_name, r.tries,
           run.revision, run.reason, run.requested_by,
           (SELECT count(*) FROM pricing_requests s WHERE s.run_id = r.run_id) AS run_size
    FROM pricing_requests r JOIN pricing_runs run ON run.id = r.run_id
    WHERE r.status = 'pending' AND r.requested_at < now() - make_interval(secs => :answer)
    ORDER BY r.requested_at
    LIMIT :limit
    FOR UPDATE OF r SKIP LOCKED
    """
)
COUNT_STUCK = text(
    "SELECT count(*) FROM pricing_requests "
    "WHERE status = 'pending' AND requested_at < now() - make_interval(secs => :answer)"
)


def no_answer(tries: int) -> str:
    return f"no answer from the collector after {tries} {'try' if tries == 1 else 'tries'}"


@dataclass(frozen=True)
class WatchReport:
    leader: bool
    stuck: int = 0
    rerequested: int = 0
    given_up: int = 0


class Watchdog:
    def __init__(
        self,
        engine: AsyncEngine,
        outbox: Outbox,
        *,
        answer_seconds: float,
        tries: int,
        batch: int,
        interval_seconds: float,
    ) -> None:
        self.engine = engine
        self.outbox = outbox
        self.units = UnitsOfWork(engine, outbox)
        self.answer_seconds = answer_seconds
        self.tries = tries
        self.batch = batch
        self.interval = interval_seconds

    async def tick(self) -> WatchReport:
        """One round: lead or step aside, then re-request or give up a batch of stuck ones."""
        async with self.units.begin() as uow:
            conn = uow.conn
            leader = await conn.scalar(select(text(f"pg_try_advisory_xact_lock({LOCK_KEY})")))
            if not leader:  # 0: the leader's figure is the one that counts (max over replicas)
                PRICING_REQUESTS_STUCK.set(0)
                return WatchReport(leader=False)
            params = {"answer": self.answer_seconds, "limit": self.batch}
            stuck = int(await conn.scalar(COUNT_STUCK, params) or 0)
            PRICING_REQUESTS_STUCK.set(stuck)
            rows = (await conn.execute(STUCK, params)).all() if stuck else []
            if not rows:
                return WatchReport(leader=True, stuck=stuck)
            report = await self._act(uow, rows)
        PRICING_REQUESTS_RETRIED.inc(report.rerequested)
        PRICING_REQUESTS_GIVEN_UP.inc(report.given_up)
        return WatchReport(True, stuck, report.rerequested, report.given_up)

    async def _act(self, uow: UnitOfWork, rows: list[Any]) -> WatchReport:
        """Send again or give up each stuck request; its events go out with the commit."""
        conn = uow.conn
        found = await conn.execute(
            select(items).where(among(items.c.id, {r.item_id for r in rows}))
        )
        item_of = {i.id: i for i in found}
        known = await conn.execute(
            select(sources).where(among(sources.c.id, {r.source_id for r in rows}))
        )
        source_of = {s.id: s for s in known}
        events: list[Any] = []
        again: list[uuid.UUID] = []
        gave_up: list[dict[str, Any]] = []
        for r in rows:
            item, source = item_of.get(r.item_id), source_of.get(r.source_id)
            why = self._why_not_again(r, item, source)
            if why is None:
                ask = RunAsk(item, r.reason, r.requested_by)
                events.append(request_event(ask, r.run_id, r.id, source, r.run_size))
                again.append(r.id)
                continue
            gave_up.append({"b_id": r.id, "b_error": why})
            events.append(self._completion(r, item, source, why))
        if again:
            await conn.execute(
                update(pricing_requests)
                .where(among(pricing_requests.c.id, again))
                .values(tries=pricing_requests.c.tries + 1, requested_at=func.now())
            )
        if gave_up:
            await conn.execute(GIVE_UP, gave_up)
            log.warning(
                "pricing requests given up", extra={"requests": len(gave_up), "why": gave_up[0]}
            )
        uow.raise_events(events)
        return WatchReport(True, len(rows), len(again), len(gave_up))

    def _why_not_again(self, r: Any, item: Any, source: Any) -> str | None:
        """None to send the request again, else why it is given up."""
        if r.tries >= self.tries:
            return no_answer(r.tries)
        if item is None or item.revision != r.revision:
            return "superseded: the item's attribution changed since"
        if source is None or not source.enabled:
            return f"source {r.source_name} was disabled or removed"
        return None

    @staticmethod
    def _completion(r: Any, item: Any, source: Any, why: str) -> PricingCompleted:
        ref = SourceRef(
            id=r.source_id,
            name=r.source_name,
            adapter=source.adapter if source is not None else "removed",
            reputation=source.reputation if source is not None else 1.0,
        )
        return failed_completion(
            run_id=r.run_id,
            request_id=r.id,
            item_id=r.item_id,
            revision=r.revision,
            source=ref,
            attribution=item.attribution if item is not None else None,
            run_size=r.run_size,
            why=why,
        )

    async def run_forever(self) -> None:
        # A catalog just started (a deploy, `fairmarket up` after a night off) first gives the
        # answers under way, the backlog and re-sent events, one answer time: its requests'
        # ages count time it was not running, and would all be re-requested at once.
        await asyncio.sleep(self.answer_seconds)
        while True:
            try:
                report = await self.tick()
                if report.rerequested or report.given_up:
                    log.info(
                        "stuck pricing requests",
                        extra={
                            "stuck": report.stuck,
                            "rerequested": report.rerequested,
                            "given_up": report.given_up,
                        },
                    )
            except asyncio.CancelledError:
                raise
            except Exception:  # a database blip must not end the watchdog
                log.exception("watchdog tick failed")
            await asyncio.sleep(self.interval)


GIVE_UP = (
    update(pricing_requests)
    .where(pricing_requests.c.id == bindparam("b_id"))
    .values(status="failed", error=bindparam("b_error"), completed_at=func.now())
)

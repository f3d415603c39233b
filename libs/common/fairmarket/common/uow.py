"""A unit of work: one transaction and the events it raised, written together.

Routes and handlers raise events on the unit instead of adding them to the outbox
themselves; the unit writes them in its own transaction and, once that commits,
wakes the outbox relay. So no caller can forget the outbox row or the wake-up, and
an error rolls back the state change and its events alike.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from fairmarket.common.events import Envelope


class EventSink(Protocol):
    """What a unit of work needs of the outbox (`messaging.outbox.Outbox` is one)."""

    async def add(self, conn: AsyncConnection, events: Iterable[Envelope[Any]]) -> int: ...

    def notify(self) -> None: ...


class UnitOfWork:
    """The connection of one open transaction and the events raised inside it."""

    def __init__(self, conn: AsyncConnection, outbox: EventSink) -> None:
        self.conn = conn
        self.outbox = outbox
        self.events: list[Envelope[Any]] = []
        self.written = 0

    def raise_events(self, events: Iterable[Envelope[Any]]) -> None:
        """Events to publish if, and only if, this unit's transaction commits."""
        self.events.extend(events)

    async def flush(self) -> None:
        """Write the events raised so far into the outbox, inside the transaction."""
        pending, self.events = self.events, []
        self.written += await self.outbox.add(self.conn, pending)


class UnitsOfWork:
    """Opens units of work on one engine and outbox: the thing routes and handlers get."""

    def __init__(self, engine: AsyncEngine, outbox: EventSink) -> None:
        self.engine = engine
        self.outbox = outbox

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[UnitOfWork]:
        """A new transaction: commits with its events on a clean exit, rolls both back on an
        error; the relay is woken only after a commit that wrote events."""
        async with self.engine.begin() as conn:
            uow = UnitOfWork(conn, self.outbox)
            yield uow
            await uow.flush()
        if uow.written:
            self.outbox.notify()

    @asynccontextmanager
    async def joined(self, conn: AsyncConnection) -> AsyncIterator[UnitOfWork]:
        """A unit inside a transaction someone else commits (a consumer's batch, which wakes
        the relay after its commit): the events are written before control returns."""
        uow = UnitOfWork(conn, self.outbox)
        yield uow
        await uow.flush()


KindHandler = Callable[[list[Any], UnitOfWork], Awaitable[None]]
BatchHandler = Callable[[AsyncConnection, list[Any]], Awaitable[None]]


def by_kind(
    units: UnitsOfWork, table: Mapping[type, KindHandler], *, then: KindHandler | None = None
) -> BatchHandler:
    """A consumer's batch handler from a table of (event type → handler of its events and
    the unit of work): each kind's events go to its handler in the table's order, all in
    the batch's one transaction. An event of a kind the table lacks is refused, so it is
    dead-lettered rather than silently dropped. `then`, if given, takes the whole batch
    once every kind is stored: a step over all kinds at once (the valuation values each
    touched item once per batch, whichever kinds touched it)."""

    async def handle(conn: AsyncConnection, events: list[Any]) -> None:
        unknown = {type(e).__name__ for e in events} - {k.__name__ for k in table}
        if unknown:
            raise TypeError(f"no handler for {sorted(unknown)}")
        async with units.joined(conn) as uow:
            for kind, handler in table.items():
                if batch := [e for e in events if type(e) is kind]:
                    await handler(batch, uow)
            if then is not None:
                await then(events, uow)

    return handle

"""Collector's handler: collect every fresh pricing request of the batch concurrently.

Its consumer is a `PreparingConsumer`: one kind of event, a `prepare` step per event and a
`handle` step per event, so there is no table of kinds to declare (the catalog's
`by_kind` routes batches of several kinds); `MODELS` is what it consumes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.collector.adapters.base import FetchResult
from fairmarket.collector.collect import Collector
from fairmarket.common.events import PricingRequested
from fairmarket.common.uow import UnitOfWork, UnitsOfWork

MODELS = (PricingRequested,)

Prepared = tuple[datetime, FetchResult]

E = TypeVar("E")
P = TypeVar("P")


def joined(
    units: UnitsOfWork, handle: Callable[[E, P, UnitOfWork], Awaitable[None]]
) -> Callable[[AsyncConnection, E, P], Awaitable[None]]:
    """The consumer's (conn, event, prepared) step over a handler of (event, prepared, unit of
    work): the unit joins the consumer's transaction, so the events it raised are written with
    the handler's rows and the inbox claim, and the consumer wakes the relay after its commit."""

    async def handle_in_unit(conn: AsyncConnection, event: E, prepared: P) -> None:
        async with units.joined(conn) as uow:
            await handle(event, prepared, uow)

    return handle_in_unit


class CollectorHandlers:
    """The marketplace call is the `PreparingConsumer`'s `prepare` step, outside any transaction; each
    request is stored (raw answers, price points, job, events) as soon as its own call ends."""

    def __init__(self, collector: Collector) -> None:
        self.collector = collector

    async def prepare(self, request: PricingRequested) -> Prepared:
        started = datetime.now(UTC)
        return started, await self.collector.fetch(request)

    async def handle(self, request: PricingRequested, prepared: Prepared, uow: UnitOfWork) -> None:
        started, result = prepared
        await self.collector.store(uow, request, result, started_at=started)

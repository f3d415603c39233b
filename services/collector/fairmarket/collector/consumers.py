"""Collector's handler: collect every fresh pricing request of the batch concurrently."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.collector.adapters.base import FetchResult
from fairmarket.collector.collect import Collector
from fairmarket.common.events import PricingRequested
from fairmarket.common.messaging.outbox import Outbox

MODELS = (PricingRequested,)


class CollectorHandlers:
    """The marketplace call is the `PreparingConsumer`'s `prepare` step, outside any transaction; each
    request is stored (raw answers, price points, job, events) as soon as its own call ends."""

    def __init__(self, collector: Collector, outbox: Outbox) -> None:
        self.collector = collector
        self.outbox = outbox

    async def prepare(self, request: PricingRequested) -> tuple[datetime, FetchResult]:
        started = datetime.now(UTC)
        return started, await self.collector.fetch(request)

    async def handle(
        self,
        conn: AsyncConnection,
        request: PricingRequested,
        prepared: tuple[datetime, FetchResult],
    ) -> None:
        started, result = prepared
        emitted = await self.collector.store(conn, request, result, started_at=started)
        await self.outbox.add(conn, emitted)

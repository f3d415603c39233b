"""Collector's handler: collect every fresh pricing request of the batch concurrently."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.collector.collect import Collector
from fairmarket.common.events import PricingRequested
from fairmarket.common.messaging.outbox import Outbox

MODELS = (PricingRequested,)


class CollectorHandlers:
    def __init__(self, collector: Collector, outbox: Outbox) -> None:
        self.collector = collector
        self.outbox = outbox

    async def __call__(self, conn: AsyncConnection, events: list[Any]) -> None:
        started = datetime.now(UTC)
        results = await self.collector.fetch_all(events)
        pairs = list(zip(events, results, strict=True))
        await self.outbox.add(conn, await self.collector.store(conn, pairs, started_at=started))

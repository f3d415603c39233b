"""Valuation's handler: store what arrived, then revalue each touched item once."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.common.events import PricePointCollected, PricePointFlagged, PricingCompleted
from fairmarket.common.messaging.outbox import Outbox
from fairmarket.valuation.revalue import revalue
from fairmarket.valuation.store import save_completion, save_comps, save_flag

MODELS = (PricePointCollected, PricingCompleted, PricePointFlagged)


class ValuationHandlers:
    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    async def __call__(self, conn: AsyncConnection, events: list[Any]) -> None:
        collected = [e for e in events if isinstance(e, PricePointCollected)]
        if collected:
            await save_comps(conn, collected)
        for event in events:
            if isinstance(event, PricingCompleted):
                await save_completion(conn, event)
            elif isinstance(event, PricePointFlagged):
                await save_flag(conn, event)
        touched = dict.fromkeys(e.data.item_id for e in events)
        emitted = []
        for item_id in touched:
            if (event := await revalue(conn, item_id)) is not None:
                emitted.append(event)
        await self.outbox.add(conn, emitted)

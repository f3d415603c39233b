"""Valuation's handler: store what arrived, then revalue the touched items together."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.common.events import PricePointCollected, PricePointFlagged, PricingCompleted
from fairmarket.common.messaging.outbox import Outbox
from fairmarket.valuation.revalue import revalue_many
from fairmarket.valuation.store import save_completions, save_comps, save_flags

MODELS = (PricePointCollected, PricingCompleted, PricePointFlagged)


class ValuationHandlers:
    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    async def __call__(self, conn: AsyncConnection, events: list[Any]) -> None:
        collected = [e for e in events if isinstance(e, PricePointCollected)]
        if collected:
            await save_comps(conn, collected)
        completions = [e for e in events if isinstance(e, PricingCompleted)]
        if completions:
            await save_completions(conn, completions)
        flagged = [e for e in events if isinstance(e, PricePointFlagged)]
        if flagged:
            await save_flags(conn, flagged)
        touched = list(dict.fromkeys(e.data.item_id for e in events))
        await self.outbox.add(conn, await revalue_many(conn, touched))

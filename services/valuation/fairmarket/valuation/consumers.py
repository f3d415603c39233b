"""Valuation's handlers: store what arrived, then value the touched items together.

Each kind's handler takes that kind's events of a batch with the batch's unit of work
(the table in bootstrap.py routes them); `revalue_touched` is the batch's final step,
run once after every kind is stored, so comps and their completion arriving in one
batch yield one valuation, not one per kind.
"""

from __future__ import annotations

from typing import Any

from fairmarket.common.events import PricePointCollected, PricePointFlagged, PricingCompleted
from fairmarket.common.uow import UnitOfWork
from fairmarket.valuation.domain.touched import touched_items
from fairmarket.valuation.revalue import revalue_many
from fairmarket.valuation.store import save_completions, save_comps, save_flags

MODELS = (PricePointCollected, PricingCompleted, PricePointFlagged)


async def on_collected(events: list[PricePointCollected], uow: UnitOfWork) -> None:
    await save_comps(uow.conn, events)


async def on_completed(events: list[PricingCompleted], uow: UnitOfWork) -> None:
    await save_completions(uow.conn, events)


async def on_flagged(events: list[PricePointFlagged], uow: UnitOfWork) -> None:
    await save_flags(uow.conn, events)


async def revalue_touched(events: list[Any], uow: UnitOfWork) -> None:
    """Value every item the batch touched whose inputs are settled and changed; the new
    valuations go out with the batch's commit."""
    uow.raise_events(await revalue_many(uow.conn, touched_items(events)))

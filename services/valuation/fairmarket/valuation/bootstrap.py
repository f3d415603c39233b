"""The valuation's parts, built once from its settings: the app, the CLI and tests use this.

`bootstrap` wires; it starts nothing (no connection is opened, no task runs) until the
runtime's lifespan does, so a CLI command or a test may take only the parts it needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from fairmarket.common.events import PricePointCollected, PricePointFlagged, PricingCompleted
from fairmarket.common.runtime import ServiceRuntime
from fairmarket.common.uow import BatchHandler, KindHandler, UnitsOfWork, by_kind
from fairmarket.valuation import consumers
from fairmarket.valuation.db import SCHEMA, inbox, outbox
from fairmarket.valuation.settings import ValuationSettings


def handler_table() -> dict[type, KindHandler]:
    """Which handler stores each kind, in the order a batch's kinds are stored; all of
    them before the batch's touched items are valued."""
    return {
        PricePointCollected: consumers.on_collected,
        PricingCompleted: consumers.on_completed,
        PricePointFlagged: consumers.on_flagged,
    }


def consumer_handler(units: UnitsOfWork) -> BatchHandler:
    """What the consumer calls with each batch: every kind stored, then the touched items
    valued once (tests build it over their own outbox)."""
    return by_kind(units, handler_table(), then=consumers.revalue_touched)


@dataclass
class Valuation:
    settings: ValuationSettings
    runtime: ServiceRuntime
    handle: BatchHandler  # what the consumer calls with each batch


def bootstrap(settings: ValuationSettings) -> Valuation:
    runtime = ServiceRuntime(settings, schema=SCHEMA, outbox_table=outbox, inbox_table=inbox)
    handle = consumer_handler(runtime.units)
    runtime.consume(consumers.MODELS, handle)
    return Valuation(settings, runtime, handle)

"""The catalog's parts, built once from its settings: the app, the CLI and tests use this.

`bootstrap` wires; it starts nothing (no connection is opened, no task runs) until the
runtime's lifespan does, so a CLI command or a test may take only the parts it needs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from fairmarket.catalog import consumers, metrics
from fairmarket.catalog.db import SCHEMA, inbox, outbox
from fairmarket.catalog.scheduler import Scheduler
from fairmarket.catalog.settings import CatalogSettings
from fairmarket.catalog.watchdog import Watchdog
from fairmarket.catalog.webhooks import WebhookSender
from fairmarket.common.events import (
    IntakeAttributed,
    PricePointCollected,
    PricingCompleted,
    ValuationComputed,
)
from fairmarket.common.runtime import ServiceRuntime
from fairmarket.common.uow import BatchHandler, KindHandler, by_kind


def handler_table(handlers: consumers.CatalogHandlers) -> dict[type, KindHandler]:
    """Which handler takes each kind of event, in the order a batch's kinds are handled."""
    return {
        PricePointCollected: handlers.on_collected,
        IntakeAttributed: handlers.on_attributed,
        PricingCompleted: handlers.on_completed,
        ValuationComputed: handlers.on_valuations,
    }


@dataclass
class Catalog:
    settings: CatalogSettings
    runtime: ServiceRuntime
    handlers: consumers.CatalogHandlers
    handle: BatchHandler  # what the consumer calls with each batch
    scheduler: Scheduler
    watchdog: Watchdog
    client: httpx.AsyncClient
    webhooks: WebhookSender

    @asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        async with self.client, self.runtime.lifespan(app):
            yield


def bootstrap(settings: CatalogSettings) -> Catalog:
    metrics.init_series()  # every outcome at 0, so increase() in the rules sees the first
    runtime = ServiceRuntime(settings, schema=SCHEMA, outbox_table=outbox, inbox_table=inbox)
    handlers = consumers.CatalogHandlers(
        approval_threshold_pct=settings.price_approval_threshold_pct
    )
    table = handler_table(handlers)
    handle = by_kind(runtime.units, table)
    runtime.consume(tuple(table), handle)
    scheduler = Scheduler(
        runtime.engine,
        runtime.outbox,
        batch=settings.scheduler_batch,
        interval_seconds=settings.scheduler_interval_seconds,
    )
    if settings.scheduler_enabled:
        runtime.background.append(scheduler.run_forever)
    watchdog = Watchdog(
        runtime.engine,
        runtime.outbox,
        answer_seconds=settings.pricing_answer_seconds,
        tries=settings.pricing_tries,
        batch=settings.watchdog_batch,
        interval_seconds=settings.watchdog_interval_seconds,
    )
    runtime.background.append(watchdog.run_forever)
    client = httpx.AsyncClient(
        timeout=httpx.Timeout(settings.webhook_timeout_seconds),
        follow_redirects=False,  # a redirect could lead past the private-address check
    )
    sender = WebhookSender(runtime.engine, settings, client)
    handlers.on_deliveries = sender.wake.set
    runtime.background.append(sender.run_forever)
    return Catalog(settings, runtime, handlers, handle, scheduler, watchdog, client, sender)

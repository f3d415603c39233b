"""Catalog service bootstrap: the one place that wires it, reused by tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from fairmarket.catalog import consumers, metrics, topics
from fairmarket.catalog.api import flags, items, products, runs, sources, storefront, watches
from fairmarket.catalog.console.install import UPLOAD_PATH
from fairmarket.catalog.console.install import install as install_console
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
from fairmarket.common.logs import configure_logging
from fairmarket.common.runtime import ServiceRuntime
from fairmarket.common.uow import KindHandler, by_kind
from fairmarket.common.web import create_app as create_web_app


def handler_table(handlers: consumers.CatalogHandlers) -> dict[type, KindHandler]:
    """Which handler takes each kind of event, in the order a batch's kinds are handled."""
    return {
        PricePointCollected: handlers.on_collected,
        IntakeAttributed: handlers.on_attributed,
        PricingCompleted: handlers.on_completed,
        ValuationComputed: handlers.on_valuations,
    }


def create_app(settings: CatalogSettings | None = None) -> FastAPI:
    settings = settings or CatalogSettings()  # type: ignore[call-arg]
    configure_logging("catalog", settings.log_level)
    metrics.init_series()  # every outcome at 0, so increase() in the rules sees the first
    runtime = ServiceRuntime(settings, schema=SCHEMA, outbox_table=outbox, inbox_table=inbox)
    handlers = consumers.CatalogHandlers(
        approval_threshold_pct=settings.price_approval_threshold_pct
    )
    table = handler_table(handlers)
    runtime.consume(tuple(table), by_kind(runtime.units, table))
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

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with client, runtime.lifespan(app):
            yield

    app = create_web_app(
        service="catalog",
        settings=settings,
        routers=[
            items.router,
            flags.router,
            runs.router,
            sources.router,
            products.router,
            storefront.router,
            watches.router,
        ],
        lifespan=lifespan,
        readiness=runtime.readiness,
        topics=(topics.CONSUMES, topics.PRODUCES),
        larger_bodies={UPLOAD_PATH: 64 * 1024 * 1024},  # the console's take-in, with photos
    )
    install_console(app, settings, client)
    app.state.runtime = runtime
    app.state.scheduler = scheduler
    app.state.watchdog = watchdog
    app.state.webhooks = sender
    return app

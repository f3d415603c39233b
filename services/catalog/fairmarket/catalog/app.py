"""Catalog service bootstrap: the one place that wires it, reused by tests."""

from __future__ import annotations

from fastapi import FastAPI

from fairmarket.catalog import consumers
from fairmarket.catalog.api import flags, items, runs, sources
from fairmarket.catalog.db import SCHEMA, inbox, outbox
from fairmarket.catalog.settings import CatalogSettings
from fairmarket.common.logs import configure_logging
from fairmarket.common.runtime import ServiceRuntime
from fairmarket.common.web import create_app as create_web_app


def create_app(settings: CatalogSettings | None = None) -> FastAPI:
    settings = settings or CatalogSettings()  # type: ignore[call-arg]
    configure_logging("catalog", settings.log_level)
    runtime = ServiceRuntime(settings, schema=SCHEMA, outbox_table=outbox, inbox_table=inbox)
    runtime.consume(consumers.MODELS, consumers.CatalogHandlers(runtime.outbox))
    app = create_web_app(
        service="catalog",
        settings=settings,
        routers=[items.router, flags.router, runs.router, sources.router],
        lifespan=runtime.lifespan,
        readiness=runtime.readiness,
    )
    app.state.runtime = runtime
    return app

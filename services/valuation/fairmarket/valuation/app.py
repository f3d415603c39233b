"""Valuation service bootstrap: the one place that wires it, reused by tests."""

from __future__ import annotations

from fastapi import FastAPI

from fairmarket.common.logs import configure_logging
from fairmarket.common.runtime import ServiceRuntime
from fairmarket.common.web import create_app as create_web_app
from fairmarket.valuation import api, consumers, topics
from fairmarket.valuation.db import SCHEMA, inbox, outbox
from fairmarket.valuation.settings import ValuationSettings


def create_app(settings: ValuationSettings | None = None) -> FastAPI:
    settings = settings or ValuationSettings()  # type: ignore[call-arg]
    configure_logging("valuation", settings.log_level)
    runtime = ServiceRuntime(settings, schema=SCHEMA, outbox_table=outbox, inbox_table=inbox)
    runtime.consume(consumers.MODELS, consumers.ValuationHandlers(runtime.outbox))
    app = create_web_app(
        service="valuation",
        settings=settings,
        routers=[api.router],
        lifespan=runtime.lifespan,
        readiness=runtime.readiness,
        topics=(topics.CONSUMES, topics.PRODUCES),
    )
    app.state.runtime = runtime
    return app

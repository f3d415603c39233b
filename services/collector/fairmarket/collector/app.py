"""Collector service app: the routes over the parts `bootstrap` built."""

from __future__ import annotations

from fastapi import FastAPI

from fairmarket.collector import api, topics
from fairmarket.collector.bootstrap import bootstrap
from fairmarket.collector.settings import CollectorSettings
from fairmarket.common.logs import configure_logging
from fairmarket.common.web import create_app as create_web_app


def create_app(settings: CollectorSettings | None = None) -> FastAPI:
    settings = settings or CollectorSettings()  # type: ignore[call-arg]
    configure_logging("collector", settings.log_level)
    service = bootstrap(settings)
    app = create_web_app(
        service="collector",
        settings=settings,
        routers=[api.router, api.imports_router],
        lifespan=service.lifespan,
        readiness=service.runtime.readiness,
        topics=(topics.CONSUMES, topics.PRODUCES),
    )
    app.state.runtime = service.runtime
    app.state.collector = service.collector
    app.state.rates = service.collector.rates
    return app

"""Valuation service app: its routes over the parts `bootstrap` built."""

from __future__ import annotations

from fastapi import FastAPI

from fairmarket.common.logs import configure_logging
from fairmarket.common.web import create_app as create_web_app
from fairmarket.valuation import api, topics
from fairmarket.valuation.bootstrap import bootstrap
from fairmarket.valuation.settings import ValuationSettings


def create_app(settings: ValuationSettings | None = None) -> FastAPI:
    settings = settings or ValuationSettings()  # type: ignore[call-arg]
    configure_logging("valuation", settings.log_level)
    valuation = bootstrap(settings)
    app = create_web_app(
        service="valuation",
        settings=settings,
        routers=[api.router],
        lifespan=valuation.runtime.lifespan,
        readiness=valuation.runtime.readiness,
        topics=(topics.CONSUMES, topics.PRODUCES),
    )
    app.state.runtime = valuation.runtime
    return app

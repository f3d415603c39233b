"""Collector service bootstrap: the one place that wires it, reused by tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from fairmarket.collector import api, consumers, topics
from fairmarket.collector.adapters.http import HttpCaller
from fairmarket.collector.adapters.registry import build_adapters
from fairmarket.collector.collect import Collector, Manners
from fairmarket.collector.db import SCHEMA, inbox, outbox
from fairmarket.collector.domain.money import rates_from
from fairmarket.collector.settings import CollectorSettings
from fairmarket.common.logs import configure_logging
from fairmarket.common.runtime import ServiceRuntime
from fairmarket.common.web import create_app as create_web_app


def create_app(settings: CollectorSettings | None = None) -> FastAPI:
    settings = settings or CollectorSettings()  # type: ignore[call-arg]
    configure_logging("collector", settings.log_level)
    runtime = ServiceRuntime(settings, schema=SCHEMA, outbox_table=outbox, inbox_table=inbox)
    client = httpx.AsyncClient(
        timeout=httpx.Timeout(settings.http_timeout_seconds),
        headers={"User-Agent": "fairmarket-collector/0.1"},
        limits=httpx.Limits(max_connections=50),
        follow_redirects=False,
    )
    manners = Manners(
        HttpCaller(client, attempts=settings.http_attempts, per_host=settings.per_host_concurrency),
        circuit_failures=settings.circuit_failures,
        circuit_cooldown=settings.circuit_cooldown_seconds,
        source_limits=settings.source_rate_limits,
    )
    collector = Collector(
        build_adapters(settings), rates_from(settings), settings.request_deadline_seconds, manners
    )
    handlers = consumers.CollectorHandlers(collector, runtime.outbox)
    runtime.consume_prepared(consumers.MODELS, handlers.prepare, handlers.handle)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with client, runtime.lifespan(app):
            yield

    app = create_web_app(
        service="collector",
        settings=settings,
        routers=[api.router, api.imports_router],
        lifespan=lifespan,
        readiness=runtime.readiness,
        topics=(topics.CONSUMES, topics.PRODUCES),
    )
    app.state.runtime = runtime
    app.state.collector = collector
    app.state.rates = collector.rates
    return app

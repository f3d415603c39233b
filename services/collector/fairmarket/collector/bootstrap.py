"""The collector's parts, built once from its settings: the app, the CLI and tests use this.

`bootstrap` wires; it starts nothing (no connection is opened, no request is sent, no
task runs) until the lifespan does, so a CLI command or a test may take only the parts
it needs and `close` them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from fairmarket.collector import consumers
from fairmarket.collector.adapters.http import HttpCaller
from fairmarket.collector.adapters.registry import build_adapters
from fairmarket.collector.collect import Collector, Manners
from fairmarket.collector.db import SCHEMA, inbox, outbox
from fairmarket.collector.domain.money import rates_from
from fairmarket.collector.settings import CollectorSettings
from fairmarket.common.runtime import ServiceRuntime


@dataclass
class CollectorService:
    settings: CollectorSettings
    runtime: ServiceRuntime
    client: httpx.AsyncClient  # the marketplaces' HTTP client, shared by every fetch
    collector: Collector
    handlers: consumers.CollectorHandlers

    @asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        async with self.client, self.runtime.lifespan(app):
            yield

    async def close(self) -> None:
        """For a CLI command or a test that used the parts without the lifespan."""
        await self.client.aclose()
        await self.runtime.engine.dispose()


def marketplace_client(settings: CollectorSettings) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.http_timeout_seconds),
        headers={"User-Agent": "fairmarket-collector/0.1"},
        limits=httpx.Limits(max_connections=50),
        follow_redirects=False,
    )


def bootstrap(settings: CollectorSettings) -> CollectorService:
    runtime = ServiceRuntime(settings, schema=SCHEMA, outbox_table=outbox, inbox_table=inbox)
    client = marketplace_client(settings)
    manners = Manners(
        HttpCaller(client, attempts=settings.http_attempts, per_host=settings.per_host_concurrency),
        circuit_failures=settings.circuit_failures,
        circuit_cooldown=settings.circuit_cooldown_seconds,
        source_limits=settings.source_rate_limits,
    )
    collector = Collector(
        build_adapters(settings), rates_from(settings), settings.request_deadline_seconds, manners
    )
    handlers = consumers.CollectorHandlers(collector)
    runtime.consume_prepared(
        consumers.MODELS, handlers.prepare, consumers.joined(runtime.units, handlers.handle)
    )
    return CollectorService(settings, runtime, client, collector, handlers)

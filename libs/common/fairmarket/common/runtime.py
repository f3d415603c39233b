"""One service process: database, broker, consumers, outbox relay, background tasks.

Each service's `create_app()` builds one `ServiceRuntime`, registers its
consumers and hands `runtime.lifespan` to the FastAPI app factory; tests reuse
the same bootstrap.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.common.db import make_engine, ping
from fairmarket.common.events import Envelope
from fairmarket.common.messaging.broker import make_broker
from fairmarket.common.messaging.consumer import (
    BaseConsumer,
    ConsumerOptions,
    E,
    EventConsumer,
    Handler,
    P,
    PreparingConsumer,
)
from fairmarket.common.messaging.outbox import Outbox, OutboxRelay
from fairmarket.common.messaging.publisher import Publisher
from fairmarket.common.messaging.topics import ensure_topics
from fairmarket.common.settings import CommonSettings
from fairmarket.common.uow import UnitsOfWork

log = logging.getLogger(__name__)

BackgroundTask = Callable[[], Awaitable[None]]


class ServiceRuntime:
    def __init__(
        self, settings: CommonSettings, *, schema: str, outbox_table: Table, inbox_table: Table
    ) -> None:
        self.settings = settings
        self.schema = schema
        self.engine = make_engine(
            settings.database_url, schema=schema, pool_size=settings.db_pool_size
        )
        # Reads that need no transaction: same pool, no BEGIN/ROLLBACK round trips.
        self.reader = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self.broker = make_broker(settings)
        self.publisher = Publisher(self.broker)
        self.outbox = Outbox(outbox_table)
        # Writes go through a unit of work: its commit adds the events and wakes the relay.
        self.units = UnitsOfWork(self.engine, self.outbox)
        self.inbox_table = inbox_table
        self.relay = OutboxRelay(
            engine=self.engine,
            outbox=self.outbox,
            publisher=self.publisher,
            schema=schema,
            batch_size=settings.outbox_batch_size,
            poll_seconds=settings.outbox_poll_seconds,
        )
        self.consumers: list[BaseConsumer] = []
        self.background: list[BackgroundTask] = []
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def group(self) -> str:
        return f"fairmarket.{self.settings.service_name}"

    def _options(self, models: Sequence[type[Envelope[Any]]]) -> ConsumerOptions:
        return ConsumerOptions(
            models=models,
            group=self.group,
            engine=self.engine,
            inbox_table=self.inbox_table,
            publisher=self.publisher,
            outbox=self.outbox,
            max_attempts=self.settings.consumer_max_attempts,
            batch_size=self.settings.consumer_batch_size,
        )

    def _attach(self, consumer: BaseConsumer) -> None:
        consumer.attach(self.broker)
        self.consumers.append(consumer)

    def consume(self, models: Sequence[type[Envelope[Any]]], handler: Handler) -> EventConsumer:
        """Batches of events, each batch handled in one transaction."""
        consumer = EventConsumer(handler=handler, **self._options(models))
        self._attach(consumer)
        return consumer

    def consume_prepared(
        self,
        models: Sequence[type[E]],
        prepare: Callable[[E], Awaitable[P]],
        handle: Callable[[AsyncConnection, E, P], Awaitable[None]],
    ) -> PreparingConsumer[E, P]:
        """Each event prepared outside any transaction, then handled in its own."""
        consumer = PreparingConsumer(prepare=prepare, handle=handle, **self._options(models))
        self._attach(consumer)
        return consumer

    async def check_database(self) -> None:
        await ping(self.engine)

    async def check_broker(self) -> None:
        if not await self.broker.ping(timeout=2.0):
            raise ConnectionError("broker unreachable")

    @property
    def readiness(self) -> list[Callable[[], Awaitable[None]]]:
        return [self.check_database, self.check_broker]

    @asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        await ensure_topics(
            self.settings.kafka_bootstrap,
            partitions=self.settings.topic_partitions,
            replication=self.settings.topic_replication,
        )
        await self.broker.start()
        self.relay.start()
        self._tasks = [asyncio.create_task(task()) for task in self.background]
        log.info("service started", extra={"service": self.settings.service_name})
        try:
            yield
        finally:
            await self.shutdown()

    async def shutdown(self) -> None:
        """Stop consuming, finish in-flight work, flush the outbox, then close."""
        for subscriber in self.broker.subscribers:
            try:
                await subscriber.stop()
            except Exception:
                log.exception("subscriber did not stop cleanly")
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.relay.stop(drain=True)
        await self.broker.stop()
        await self.engine.dispose()
        log.info("service stopped", extra={"service": self.settings.service_name})


async def current_runtime(request: Request) -> ServiceRuntime:
    """async: FastAPI runs a plain `def` dependency in a worker thread, a handoff per request."""
    return request.app.state.runtime


# The one route dependency every service's routers take: its runtime, whose `units` open
# the units of work that write (events included) and whose `reader` serves reads.
Runtime = Annotated[ServiceRuntime, Depends(current_runtime)]

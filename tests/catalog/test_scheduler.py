"""The re-pricing scheduler against a real PostgreSQL, with two catalog instances.

Each instance is a Scheduler over its own engine (its own connection pool), as two
replicas of the catalog would be; the leader is whichever holds the advisory lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select, text, update

from fairmarket.catalog.db import items, outbox, pricing_requests, sources
from fairmarket.catalog.scheduler import LOCK_KEY, Scheduler
from fairmarket.common.db import make_engine
from fairmarket.common.messaging.outbox import Outbox

pytestmark = pytest.mark.integration

COIN = {"category": "coin", "year": 1921, "mintmark": "D", "grade": "MS63"}


@pytest.fixture
async def replicas(migrated_db: str) -> AsyncIterator[list[Scheduler]]:
    engines = [make_engine(migrated_db, schema="catalog", pool_size=2) for _ in range(2)]
    async with engines[0].begin() as conn:  # a clean slate: this module's items only
        for table in (pricing_requests, items):
            await conn.execute(table.delete())
        await conn.execute(update(sources).values(reprice_after=None, cadence_hours=168))
    yield [Scheduler(e, Outbox(outbox), batch=500, interval_seconds=60) for e in engines]
    for e in engines:
        await e.dispose()


async def add_items(scheduler: Scheduler, n: int, *, requested_hours_ago: float | None) -> None:
    """n coins; with a last eBay request that many hours ago (None: never requested)."""
    async with scheduler.engine.begin() as conn:
        ebay = await conn.scalar(select(sources.c.id).where(sources.c.name == "ebay"))
        for _ in range(n):
            item = uuid.uuid4()
            await conn.execute(
                items.insert().values(
                    id=item, category="coin", title="1921-D Morgan", attribution=COIN, revision=1
                )
            )
            if requested_hours_ago is not None:
                await conn.execute(
                    pricing_requests.insert().values(
                        id=uuid.uuid4(),
                        run_id=uuid.uuid4(),
                        item_id=item,
                        source_id=ebay,
                        source_name="ebay",
                        status="ok",
                        created_at=func.now() - text(f"interval '{requested_hours_ago} hours'"),
                    )
                )


async def requests_per_item(scheduler: Scheduler) -> dict[Any, int]:
    async with scheduler.engine.connect() as conn:
        rows = await conn.execute(
            select(pricing_requests.c.item_id, func.count())
            .where(pricing_requests.c.created_at > func.now() - text("interval '1 minute'"))
            .group_by(pricing_requests.c.item_id)
        )
        return dict(rows.all())


async def test_only_stale_items_are_repriced_once_by_one_of_two_replicas(
    replicas: list[Scheduler],
) -> None:
    a, b = replicas
    await add_items(a, 30, requested_hours_ago=200)  # older than eBay's 168 h cadence
    await add_items(a, 10, requested_hours_ago=1)  # fresh

    reports = await asyncio.gather(a.tick(), b.tick(), a.tick(), b.tick())
    assert sum(r.runs for r in reports) == 30
    assert all(r.runs == 0 for r in reports if not r.leader)
    assert set((await requests_per_item(a)).values()) == {1}  # no item twice

    assert (await a.tick()).runs == 0  # nothing stale any more


async def test_a_replica_holding_the_lock_keeps_the_other_out_and_its_death_hands_over(
    replicas: list[Scheduler], migrated_db: str
) -> None:
    a, b = replicas
    await add_items(a, 5, requested_hours_ago=500)
    holder = make_engine(migrated_db, schema="catalog", pool_size=1)
    try:
        conn = await holder.connect()
        await conn.begin()
        assert await conn.scalar(text(f"SELECT pg_try_advisory_xact_lock({LOCK_KEY})"))
        blocked = await b.tick()
        assert (blocked.leader, blocked.runs) == (False, 0)
        pid = await conn.scalar(text("SELECT pg_backend_pid()"))
        async with a.engine.connect() as killer:  # the leader's process dies
            await killer.execute(text(f"SELECT pg_terminate_backend({pid})"))
        taken = await b.tick()
        assert (taken.leader, taken.runs) == (True, 5)
        with contextlib.suppress(Exception):  # its connection is gone with it
            await conn.close()
    finally:
        await holder.dispose()


async def test_a_reprice_request_on_a_source_reprices_its_items_in_batches(
    replicas: list[Scheduler],
) -> None:
    a, _ = replicas
    await add_items(a, 12, requested_hours_ago=2)
    assert (await a.tick()).runs == 0
    async with a.engine.begin() as conn:
        await conn.execute(
            update(sources).where(sources.c.name == "ebay").values(reprice_after=func.now())
        )
    small = Scheduler(a.engine, a.outbox, batch=5, interval_seconds=60)
    assert [(await small.tick()).runs for _ in range(4)] == [5, 5, 2, 0]


async def test_a_replica_that_loses_the_lock_reports_no_overdue_pairs(
    replicas: list[Scheduler], migrated_db: str
) -> None:
    from prometheus_client import REGISTRY

    def oldest() -> float | None:
        return REGISTRY.get_sample_value("fairmarket_catalog_scheduler_oldest_stale_seconds")

    a, _ = replicas
    await add_items(a, 3, requested_hours_ago=500)
    small = Scheduler(a.engine, a.outbox, batch=1, interval_seconds=60)
    assert (await small.tick()).leader
    assert (oldest() or 0) > 3600  # 500 h since the last request, eBay's cadence is 168 h
    holder = make_engine(migrated_db, schema="catalog", pool_size=1)
    try:
        async with holder.begin() as conn:  # another replica leads now
            assert await conn.scalar(text(f"SELECT pg_try_advisory_xact_lock({LOCK_KEY})"))
            assert not (await small.tick()).leader
            assert oldest() == 0  # max() over replicas is the leader's, not this stale value
    finally:
        await holder.dispose()

"""The broker goes away for a while and comes back: the outboxes hold the events meanwhile.

The services reach the broker through a cable the test cuts: producers and
consumers lose every connection and are refused new ones, while the broker
keeps its topics. Items taken in during the outage must wait in the intake's
outbox, and once the cable is back every item must be valued, once, as offline.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import asyncpg
import httpx
import pytest
from cable import Cable
from fault_support import CLEAN, dsn, ledger, take_in, tally, valuations

from fairmarket.cli.embedded import start_broker
from fairmarket.cli.ports import free_port
from fairmarket.cli.stack import Stack, StackConfig

pytestmark = pytest.mark.e2e

ITEMS = int(os.environ.get("FAIRMARKET_FAULT_ITEMS", "40"))


async def _unsent(stack: Stack, schema: str) -> int:
    conn = await asyncpg.connect(dsn(stack))
    try:
        return await conn.fetchval(f"SELECT count(*) FROM {schema}.outbox WHERE sent_at IS NULL")
    finally:
        await conn.close()


async def _until_ready(stack: Stack, name: str, ready: bool, timeout: float = 60) -> None:
    """Until the service's /readyz says what the test expects of the broker's state."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=5) as client:
        while time.monotonic() < deadline:
            r = await client.get(f"{stack.urls[name]}/readyz")
            if (r.status_code == 200) == ready:
                return
            await asyncio.sleep(0.2)
    raise AssertionError(f"{name} never became {'ready' if ready else 'unready'}")


async def _take_in_many(stack: Stack, n: int) -> list[str]:
    async with httpx.AsyncClient(timeout=5) as client:
        return [await take_in(client, stack) for _ in range(n)]


def test_broker_outage_holds_events_in_the_outbox_and_loses_nothing(tmp_path: Path) -> None:
    cable_port = free_port()
    broker = start_broker(advertised_port=cable_port)
    try:
        with Cable(cable_port, broker.port) as cable:
            config = StackConfig.for_tests(
                tmp_path / "stack",
                kafka_bootstrap=f"127.0.0.1:{cable_port}",
                kafka_idempotence=False,
            )
            with Stack(config) as stack:
                before = asyncio.run(_take_in_many(stack, ITEMS // 2))
                cable.cut()
                outage = time.monotonic()
                during = asyncio.run(_take_in_many(stack, ITEMS // 2))
                held = asyncio.run(_unsent(stack, "intake"))
                assert held > 0, "with the broker gone, the intake's outbox should hold its events"
                for name in stack.config.services:  # every one notices, and says so
                    asyncio.run(_until_ready(stack, name, ready=False))
                cable.connect()
                for name in stack.config.services:  # and reconnects by itself
                    asyncio.run(_until_ready(stack, name, ready=True))
                down_for = time.monotonic() - outage
                ids = before + during
                valued = asyncio.run(valuations(stack, ids, timeout=240))
                lost = [i for i in ids if i not in valued]
                assert not lost, f"{len(lost)} items never valued after the broker came back"
                report = asyncio.run(ledger(stack, ids, valued))
    finally:
        broker.stop()
    print(
        f"\n{len(ids)} items, broker away {down_for:.1f}s with {held} events held in the intake "
        f"outbox, " + tally(lost, report)
    )
    assert report == CLEAN

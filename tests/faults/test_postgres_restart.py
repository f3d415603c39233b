"""PostgreSQL restarts under load: services report not-ready, recover by themselves, lose nothing.

Half the items are taken in and the database stops while they are in flight;
every service must answer 503 on /readyz while it is gone and 200 once it is back,
then the other half is taken in, and every item must be valued once, as offline.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import httpx
import pytest
from fault_support import CLEAN, ledger, take_in, tally, valuations

from fairmarket.cli.stack import Stack, StackConfig

pytestmark = pytest.mark.e2e

ITEMS = int(os.environ.get("FAIRMARKET_FAULT_ITEMS", "40"))


async def _until_ready(stack: Stack, ready: bool, timeout: float = 60) -> None:
    """Until every service's /readyz answers as expected."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=5) as client:
        for name in stack.config.services:
            while True:
                r = await client.get(f"{stack.urls[name]}/readyz")
                if (r.status_code == 200) == ready:
                    break
                assert time.monotonic() < deadline, f"{name}: /readyz stayed {r.status_code}"
                await asyncio.sleep(0.2)


async def _take_in_many(stack: Stack, n: int) -> list[str]:
    async with httpx.AsyncClient(timeout=5) as client:
        return [await take_in(client, stack) for _ in range(n)]


def test_postgres_restart_mid_stream_loses_nothing(tmp_path: Path) -> None:
    with Stack(StackConfig.for_tests(tmp_path / "stack")) as stack:
        before = asyncio.run(_take_in_many(stack, ITEMS // 2))
        began = time.monotonic()
        with stack.postgres_down():
            asyncio.run(_until_ready(stack, ready=False))
        asyncio.run(_until_ready(stack, ready=True))
        recovered_in = time.monotonic() - began
        after = asyncio.run(_take_in_many(stack, ITEMS - len(before)))
        ids = before + after
        valued = asyncio.run(valuations(stack, ids, timeout=240))
        lost = [i for i in ids if i not in valued]
        assert not lost, f"{len(lost)} items never valued after PostgreSQL came back"
        report = asyncio.run(ledger(stack, ids, valued))
    print(
        f"\n{len(ids)} items, PostgreSQL restarted with {len(before)} in flight, every service "
        f"unready then ready again within {recovered_in:.1f}s, " + tally(lost, report)
    )
    assert report == CLEAN

"""Kill -9 each service in turn in the middle of a stream of items: nothing lost, nothing twice.

Every item must end with exactly the valuation the engine gives offline over the
same comps; no comp counted twice; outboxes drained; nothing dead-lettered.
The quick form runs in CI; FAIRMARKET_FAULT_ITEMS=300 runs the full one.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import pytest
from fault_support import CLEAN, ledger, take_in, tally, valuations

from fairmarket.cli.stack import Stack, StackConfig

pytestmark = pytest.mark.e2e

ITEMS = int(os.environ.get("FAIRMARKET_FAULT_ITEMS", "40"))
VICTIMS = ("collector", "valuation", "catalog", "intake")


async def _stream_with_kills(stack: Stack) -> list[str]:
    ids: list[str] = []
    kill_every = max(ITEMS // (len(VICTIMS) + 1), 1)
    victims = list(VICTIMS)
    async with httpx.AsyncClient(timeout=5) as client:
        for n in range(ITEMS):
            ids.append(await take_in(client, stack))
            if n and n % kill_every == 0 and victims:
                stack.kill(victims.pop(0), restart=True)  # SIGKILL; the supervisor restarts it
            await asyncio.sleep(0.05)
    return ids


def test_killing_each_service_mid_stream_loses_nothing(tmp_path: Path) -> None:
    with Stack(StackConfig.for_tests(tmp_path / "stack")) as stack:
        ids = asyncio.run(_stream_with_kills(stack))
        valued = asyncio.run(valuations(stack, ids, timeout=240))
        lost = [i for i in ids if i not in valued]
        assert not lost, f"{len(lost)} items never valued: {lost[:5]}"
        report = asyncio.run(ledger(stack, ids, valued))
    print(
        f"\n{len(ids)} items, {len(VICTIMS)} kills ({', '.join(VICTIMS)}), " + tally(lost, report)
    )
    assert report == CLEAN

"""A rebalance while handling: a second replica of collector and valuation leaves mid-stream.

Each consumer service runs as two replicas in one consumer group; half-way
through a stream of items, once each second replica's own metrics show it handled
records (so it holds partitions), one collector replica is killed (-9) and one
valuation replica is stopped (SIGTERM). The group
rebalances onto the survivors, and every item must be valued once, as offline.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from fault_support import CLEAN, ledger, take_in, tally, valuations
from prometheus_client.parser import text_string_to_metric_families

from fairmarket.cli.replicas import replica, wait_ready
from fairmarket.cli.stack import Stack, StackConfig

pytestmark = pytest.mark.e2e

ITEMS = int(os.environ.get("FAIRMARKET_FAULT_ITEMS", "40"))
SECOND = ("collector", "valuation")


async def _handled(client: httpx.AsyncClient, url: str) -> float:
    """Records the replica has handled and committed, from its own /metrics."""
    text = (await client.get(f"{url}/metrics")).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "fairmarket_messages_handled"
        for sample in family.samples
        if sample.name == "fairmarket_messages_handled_total"
    )


async def _holding_partitions(client: httpx.AsyncClient, url: str, timeout: float = 90) -> float:
    """Wait until the replica has handled records: it holds partitions of the group, so
    stopping it forces a rebalance of work it owned (not of an idle member)."""
    deadline = time.monotonic() + timeout
    while (handled := await _handled(client, url)) == 0:
        assert time.monotonic() < deadline, f"{url} never handled a record: it held no partition"
        await asyncio.sleep(0.2)
    return handled


async def _stream(
    stack: Stack, replicas: dict[str, tuple[subprocess.Popen[bytes], str]]
) -> list[str]:
    ids: list[str] = []
    async with httpx.AsyncClient(timeout=5) as client:
        for n in range(ITEMS):
            ids.append(await take_in(client, stack))
            if n == ITEMS // 2:
                for name in SECOND:
                    await _holding_partitions(client, replicas[name][1])
                replicas["collector"][0].send_signal(signal.SIGKILL)
                replicas["valuation"][0].send_signal(signal.SIGTERM)
    return ids


def test_replicas_leaving_mid_stream_rebalance_without_loss(tmp_path: Path) -> None:
    with Stack(StackConfig.for_tests(tmp_path / "stack")) as stack:
        with (
            replica(stack, "collector", tmp_path / "collector-2.log") as (collector, c_url),
            replica(stack, "valuation", tmp_path / "valuation-2.log") as (valuation, v_url),
        ):
            wait_ready(c_url)
            wait_ready(v_url)
            replicas = {"collector": (collector, c_url), "valuation": (valuation, v_url)}
            ids = asyncio.run(_stream(stack, replicas))
            valued = asyncio.run(valuations(stack, ids, timeout=240))
            lost = [i for i in ids if i not in valued]
            assert not lost, f"{len(lost)} items never valued after the rebalance"
            report = asyncio.run(ledger(stack, ids, valued))
            valuation.wait(30)
    print(
        f"\n{len(ids)} items over 2 replicas of {' and '.join(SECOND)}, one of each gone "
        f"mid-stream (collector -9, valuation SIGTERM), " + tally(lost, report)
    )
    assert report == CLEAN

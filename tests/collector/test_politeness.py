"""Politeness: rate limits, breakers and isolation between sources.

The state machines run on a fake clock; isolation runs over real HTTP with one
store that does not answer until the test lets it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from marketplace_server import Marketplace, Reply, Seen, serve
from request_support import pricing_requested

from fairmarket.collector.adapters.http import HttpCaller
from fairmarket.collector.adapters.politeness import CircuitBreaker, HostSlots, TokenBucket
from fairmarket.collector.adapters.registry import Adapters
from fairmarket.collector.adapters.shopify import PRODUCTS, ShopifyAdapter, StoreConfig
from fairmarket.collector.collect import Collector, Manners
from fairmarket.collector.domain.money import Rates
from fairmarket.common.events import (
    PricingRequested,
    ProductAttribution,
)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_spaces_requests_at_the_configured_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(60, burst=2, clock=clock)
    assert bucket.try_take() and bucket.try_take()  # the burst
    assert not bucket.try_take() and bucket.wait_time() == pytest.approx(1.0)
    clock.now = 0.5
    assert not bucket.try_take()
    clock.now = 1.0
    assert bucket.try_take() and not bucket.try_take()
    clock.now = 100.0
    assert bucket.try_take() and bucket.try_take() and not bucket.try_take()  # capped at burst
    bucket.retune(6)
    assert bucket.wait_time() == pytest.approx(10.0)


def test_breaker_opens_after_failures_in_a_row_and_lets_one_trial_through() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=3, cooldown=30, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.record(False)
    breaker.record(True)  # a success resets the count
    for _ in range(3):
        breaker.record(False)
    assert breaker.state == "open" and not breaker.allow()
    assert breaker.retry_in() == 30
    clock.now = 30
    assert breaker.state == "half_open"
    assert breaker.allow() and not breaker.allow()  # one trial at a time
    breaker.record(False)
    assert breaker.state == "open" and breaker.retry_in() == 30  # the trial failed: open again
    clock.now = 60
    assert breaker.allow()
    breaker.record(True)
    assert breaker.state == "closed" and breaker.allow()


async def test_host_slots_bound_concurrency_per_host() -> None:
    slots = HostSlots(per_host=2)
    inside = {"a": 0, "b": 0}
    peak = {"a": 0, "b": 0}
    release = asyncio.Event()

    async def call(host: str) -> None:
        async with slots(host):
            inside[host] += 1
            peak[host] = max(peak[host], inside[host])
            await release.wait()
            inside[host] -= 1

    tasks = [asyncio.create_task(call(h)) for h in "aaaab"]
    while sum(inside.values()) < 3:
        await asyncio.sleep(0)
    assert inside == {"a": 2, "b": 1}  # two of the four for host a wait their turn
    release.set()
    await asyncio.gather(*tasks)
    assert peak == {"a": 2, "b": 1}


@pytest.fixture
def slow_store() -> Iterator[tuple[Marketplace, threading.Event]]:
    market, gate = Marketplace(), threading.Event()

    def hold(seen: Seen) -> Reply:
        gate.wait(timeout=60)
        return Reply(200, {"products": []})

    market.on("GET", PRODUCTS, hold)
    server = serve(market)
    try:
        yield market, gate
    finally:
        gate.set()
        server.shutdown()
        server.server_close()


def pricing(source: str, adapter: str = "shopify") -> PricingRequested:
    """Onyx's Geometry coffee asked of the store `source`."""
    return pricing_requested(ProductAttribution(name="Geometry"), adapter, source=source)


def collector(client: httpx.AsyncClient, stores: dict[str, str], **manners: float) -> Collector:
    adapters = Adapters({}, {n: ShopifyAdapter(StoreConfig(url)) for n, url in stores.items()})
    http = HttpCaller(client, attempts=2, backoff=0.01, max_backoff=0.02)
    return Collector(adapters, Rates(), 30, Manners(http, **manners))  # type: ignore[arg-type]


async def test_a_slow_source_does_not_delay_the_others(
    marketplace: Marketplace, slow_store: tuple[Marketplace, threading.Event]
) -> None:
    slow, gate = slow_store
    product = {
        "id": 1,
        "title": "Geometry",
        "handle": "g",
        "variants": [{"id": 2, "price": "21.00"}],
    }
    marketplace.on("GET", PRODUCTS, Reply(200, {"products": [product]}))
    async with httpx.AsyncClient() as client:
        c = collector(client, {"slow-store": slow.url, "fast-store": marketplace.url})
        slow_task = asyncio.create_task(c.fetch(pricing("slow-store")))
        fast = await c.fetch(pricing("fast-store"))
        assert fast.status == "ok" and len(fast.listings) == 1
        assert not slow_task.done()  # still waiting on its marketplace
        gate.set()
        assert (await slow_task).status == "ok"


async def test_an_open_circuit_stops_calling_a_failing_source(marketplace: Marketplace) -> None:
    marketplace.on("GET", PRODUCTS, Reply(500, {"errors": "boom"}))
    async with httpx.AsyncClient() as client:
        c = collector(client, {"down": marketplace.url}, circuit_failures=2, circuit_cooldown=600)
        first = [await c.fetch(pricing("down")) for _ in range(2)]
        calls = len(marketplace.seen)
        third = await c.fetch(pricing("down"))
        missing = await c.fetch(pricing("nowhere"))
    assert [r.status for r in first] == ["failed", "failed"]
    assert third.status == "failed" and "circuit open after 2" in (third.error or "")
    assert len(marketplace.seen) == calls  # no request while open
    assert missing.status == "failed" and "no adapter 'shopify'" in (missing.error or "")


async def test_a_source_rate_limit_is_applied_but_never_above_the_marketplace_limit(
    marketplace: Marketplace,
) -> None:
    async with httpx.AsyncClient() as client:
        c = collector(client, {"store": marketplace.url})
        adapter = ShopifyAdapter(StoreConfig(marketplace.url))
        asked = pricing("store").data.source.model_copy(update={"rate_limit_per_minute": 30})
        lavish = asked.model_copy(update={"rate_limit_per_minute": 100_000})
        bucket = c.manners.bucket(asked, adapter)
        assert bucket is not None and bucket.rate_per_minute == 30
        again = c.manners.bucket(lavish, adapter)
        assert again is bucket and bucket.rate_per_minute == adapter.rate_limit_per_minute


def paced_collector(client: httpx.AsyncClient, url: str, deadline: float) -> Collector:
    """One store at 120 requests/min (burst 2), a short deadline, a breaker after 3 failures."""
    adapters = Adapters({}, {"store": ShopifyAdapter(StoreConfig(url))})
    http = HttpCaller(client, attempts=1, per_host=16)
    return Collector(adapters, Rates(), deadline, Manners(http, circuit_failures=3))  # type: ignore[arg-type]


def paced(n: int) -> list[PricingRequested]:
    requests = [pricing("store") for _ in range(n)]
    for r in requests:
        assert r.data.source.rate_limit_per_minute is None  # Shopify's own 120/min applies
    return requests


async def test_waiting_on_our_own_rate_limit_does_not_count_toward_the_deadline(
    marketplace: Marketplace,
) -> None:
    """A batch queues on the source's bucket far longer than the deadline: that is our pacing,
    not the marketplace being slow, so every collection ends ok and the breaker stays closed."""
    product = {"id": 1, "title": "Geometry", "handle": "g", "variants": [{"id": 2, "price": "21"}]}
    marketplace.on("GET", PRODUCTS, Reply(200, {"products": [product]}))
    async with httpx.AsyncClient() as client:
        c = paced_collector(client, marketplace.url, deadline=1.0)
        started = time.monotonic()
        results = await asyncio.gather(*(c.fetch(r) for r in paced(8)))
        took = time.monotonic() - started
        again = await c.fetch(pricing("store"))
    assert took >= 2.5  # 2 at once, then one every 0.5 s: paced well past the 1 s deadline
    assert [r.status for r in results] == ["ok"] * 8, [r.error for r in results]
    assert all(len(r.listings) == 1 for r in results)
    assert again.status == "ok" and c.manners.breaker("store").state == "closed"


async def test_a_hanging_marketplace_still_fails_at_the_deadline(
    slow_store: tuple[Marketplace, threading.Event],
) -> None:
    """Pacing is not counted, the marketplace's time is: each collection fails one deadline
    after its call went out, the later ones after their wait for the bucket."""
    slow, _gate = slow_store
    async with httpx.AsyncClient() as client:
        c = paced_collector(client, slow.url, deadline=1.0)
        started = time.monotonic()
        results = await asyncio.gather(*(c.fetch(r) for r in paced(3)))
        took = time.monotonic() - started
    assert [r.status for r in results] == ["failed"] * 3
    assert all("deadline of 1s exceeded" in (r.error or "") for r in results)
    assert 1.4 <= took < 3.0  # the third call went out after 0.5 s of pacing, then hung 1 s
    assert c.manners.breaker("store").state == "open"  # 3 failures: the marketplace's fault

"""Why a collection failed travels as a kind: the metric's error class, the breaker and the
message follow from it, and the wait before a retry is the one the marketplace asked for.

Marketplaces are a real local HTTP server; the waits between attempts are recorded by the
caller's `sleep` instead of slept, so a 7-second Retry-After costs the test nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from marketplace_server import Marketplace, Reply, Seen
from prometheus_client import REGISTRY
from request_support import pricing_requested

from fairmarket.collector.adapters.base import FetchResult
from fairmarket.collector.adapters.ebay import EbayAdapter, EbayConfig
from fairmarket.collector.adapters.http import HttpCaller
from fairmarket.collector.adapters.registry import Adapters
from fairmarket.collector.adapters.shopify import PRODUCTS, ShopifyAdapter, StoreConfig
from fairmarket.collector.collect import Collector, Manners
from fairmarket.collector.domain.money import Rates
from fairmarket.common.events import (
    CoinAttribution,
    PricingRequested,
    ProductAttribution,
)

TOKEN = "/identity/v1/oauth2/token"
PRODUCT = {"id": 1, "title": "Geometry", "handle": "g", "variants": [{"id": 2, "price": "21.00"}]}


class Waits:
    """The caller's sleep: records each wait instead of waiting."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def pricing(source: str, adapter: str = "shopify", attribution: Any = None) -> PricingRequested:
    """Onyx's Geometry coffee (or `attribution`) asked of the source `source`."""
    item = attribution or ProductAttribution(name="Geometry")
    return pricing_requested(item, adapter, source=source)


def collector(
    client: httpx.AsyncClient,
    stores: dict[str, str],
    waits: Waits,
    attempts: int = 3,
    **manners: float,
) -> Collector:
    """Shopify's own rate limit (120/min) paces the calls: fewer attempts, a quicker test."""
    adapters = Adapters({}, {n: ShopifyAdapter(StoreConfig(url)) for n, url in stores.items()})
    http = HttpCaller(client, attempts=attempts, backoff=0.5, max_backoff=10, sleep=waits)
    return Collector(adapters, Rates(), 30, Manners(http, **manners))  # type: ignore[arg-type]


def errors_counted(source: str, kind: str) -> float:
    labels = {"source": source, "error_class": kind}
    return REGISTRY.get_sample_value("fairmarket_collector_source_errors_total", labels) or 0.0


async def test_a_retry_waits_the_seconds_retry_after_asks_for(marketplace: Marketplace) -> None:
    marketplace.on(
        "GET",
        PRODUCTS,
        [Reply(429, {"errors": "slow down"}, {"Retry-After": "7"}), Reply(200, {"products": []})],
    )
    waits = Waits()
    async with httpx.AsyncClient() as client:
        http = HttpCaller(client, attempts=3, backoff=0.5, max_backoff=30, sleep=waits)
        response = await http.call(FetchResult(), "GET", f"{marketplace.url}{PRODUCTS}")
    assert response.status_code == 200 and len(marketplace.calls(PRODUCTS)) == 2
    assert waits.seconds == [7.0]  # not the 0.5-1 s backoff it would take without one


async def test_retry_after_as_a_date_and_above_the_cap(marketplace: Marketplace) -> None:
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    marketplace.on(
        "GET",
        PRODUCTS,
        [
            Reply(503, {}, {"Retry-After": soon}),
            Reply(429, {}, {"Retry-After": "3600"}),
            Reply(200, {"products": []}),
        ],
    )
    waits = Waits()
    async with httpx.AsyncClient() as client:
        http = HttpCaller(client, attempts=3, backoff=0.5, max_backoff=30, sleep=waits)
        response = await http.call(FetchResult(), "GET", f"{marketplace.url}{PRODUCTS}")
    assert response.status_code == 200
    date_wait, capped = waits.seconds
    assert 17 < date_wait <= 20  # the date, less the time the test took to get there
    assert capped == 30  # an hour is more than the deadline allows: the cap instead


async def test_without_retry_after_the_backoff_grows_with_jitter(marketplace: Marketplace) -> None:
    marketplace.on("GET", PRODUCTS, Reply(503, {}))
    waits = Waits()
    async with httpx.AsyncClient() as client:
        http = HttpCaller(client, attempts=3, backoff=0.5, max_backoff=30, sleep=waits)
        response = await http.call(FetchResult(), "GET", f"{marketplace.url}{PRODUCTS}")
    assert response.status_code == 503 and len(marketplace.calls(PRODUCTS)) == 3
    first, second = waits.seconds
    assert 0.5 <= first <= 1.0 and 1.0 <= second <= 1.5


@pytest.mark.parametrize(
    ("reply", "kind", "message"),
    [
        (Reply(503, {}), "server_error", "the store answered 503"),
        (Reply(429, {}), "throttled", "the store answered 429"),
        (Reply(401, {}), "auth", "the store answered 401"),
        (Reply(403, {}), "auth", "the store answered 403"),
        (Reply(404, {}), "client_error", "the store answered 404"),
        (
            Reply(200, "<html>oops</html>"),
            "bad_answer",
            "the store answered a body that is not JSON",
        ),
        (Reply(200, {"items": []}), "bad_answer", "the store answered no product list"),
    ],
)
async def test_each_failure_is_counted_under_its_kind(
    marketplace: Marketplace, reply: Reply, kind: str, message: str
) -> None:
    marketplace.on("GET", PRODUCTS, reply)
    source = f"store-{uuid.uuid4().hex[:8]}"
    before = errors_counted(source, kind)
    async with httpx.AsyncClient() as client:
        result = await collector(client, {source: marketplace.url}, Waits()).fetch(pricing(source))
    assert (result.status, result.error_kind, result.error) == ("failed", kind, message)
    assert errors_counted(source, kind) == before + 1
    assert errors_counted(source, "other") == 0


async def test_no_answer_at_all_is_transport_even_on_a_token_url(marketplace: Marketplace) -> None:
    """eBay's token URL dropping the connection is a transport failure, not bad credentials."""

    def hang_up(_: Seen) -> Reply:
        raise ConnectionAbortedError("the marketplace hangs up")  # the server closes the socket

    marketplace.on("POST", TOKEN, hang_up)
    config = EbayConfig(marketplace.url, "client-id", "client-secret-xyz")
    async with httpx.AsyncClient() as client:
        http = HttpCaller(client, attempts=2, backoff=0.01, max_backoff=0.05, sleep=Waits())
        result = await EbayAdapter(config).fetch(pricing("ebay", "ebay").data, http)
    assert (result.status, result.error_kind) == ("failed", "transport"), result.error
    assert result.error.startswith(f"POST {marketplace.url}{TOKEN} failed:")
    assert len(marketplace.calls(TOKEN)) == 2  # retried before giving up

    marketplace.on("POST", TOKEN, Reply(401, {"error": "invalid_client"}))
    async with httpx.AsyncClient() as client:
        http = HttpCaller(client, attempts=2, backoff=0.01, max_backoff=0.05, sleep=Waits())
        refused = await EbayAdapter(config).fetch(pricing("ebay", "ebay").data, http)
    assert (refused.error_kind, refused.error) == ("auth", "eBay token request answered 401")


async def test_the_breaker_counts_marketplace_faults_not_requests_it_cannot_price(
    marketplace: Marketplace,
) -> None:
    marketplace.on("GET", PRODUCTS, Reply(200, {"products": [PRODUCT]}))
    coin = CoinAttribution(year=1921, mintmark="D", denomination="Morgan Dollar")
    async with httpx.AsyncClient() as client:
        c = collector(client, {"store": marketplace.url}, Waits(), 1, circuit_failures=2)
        refusals = [await c.fetch(pricing("store", attribution=coin)) for _ in range(3)]
        assert {(r.status, r.error_kind) for r in refusals} == {("failed", "unsupported")}
        assert c.manners.breaker("store").state == "closed"
        assert (await c.fetch(pricing("store"))).status == "ok"

        marketplace.on("GET", PRODUCTS, Reply(502, {}))
        down = [await c.fetch(pricing("store")) for _ in range(2)]
        assert [r.error_kind for r in down] == ["server_error", "server_error"]
        calls = len(marketplace.calls(PRODUCTS))
        held = await c.fetch(pricing("store"))
    assert (held.error_kind, len(marketplace.calls(PRODUCTS))) == ("circuit_open", calls)

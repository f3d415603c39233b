"""The WooCommerce store adapter over real HTTP, against real responses.

Sources (../shared/data, see SOURCES.md): the WooCommerce Store API docs example
(woocommerce/woocommerce) and a real test shop configured with three minor units
(hichamboushaba/WCStoreApp).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from adapter_support import Bound, quick_caller
from marketplace_server import Marketplace, Reply
from request_support import pricing_request

from fairmarket.collector.adapters.shopify import StoreConfig
from fairmarket.collector.adapters.woocommerce import PRODUCTS as WOO
from fairmarket.collector.adapters.woocommerce import WooCommerceAdapter, minor_units
from fairmarket.common.events import (
    ProductAttribution,
    SourceRules,
)


def woocommerce(url: str, client: httpx.AsyncClient) -> Bound:
    """The adapter for a store at `url`, fetched as the collector does."""
    return Bound(WooCommerceAdapter(StoreConfig(url)), quick_caller(client))


@pytest.fixture
def woo_minor3(shared_data: Path) -> list[dict[str, Any]]:
    path = (
        shared_data / "woocommerce" / "store_api_v1_products_wpcomstaging_testshop_minor_unit3.json"
    )
    return json.loads(path.read_text())


async def test_woocommerce_minor_units_come_from_the_store(
    marketplace: Marketplace, shared_data: Path
) -> None:
    docs = json.loads(
        (shared_data / "woocommerce" / "store_api_v1_products_docs_example.json").read_text()
    )
    marketplace.on("GET", WOO, Reply(200, docs, {"X-WP-Total": "1", "X-WP-TotalPages": "1"}))
    async with httpx.AsyncClient() as client:
        store = woocommerce(marketplace.url, client)
        result = await store.fetch(
            pricing_request(ProductAttribution(name="WordPress Pennant"), "woocommerce")
        )
    [pennant] = result.listings
    assert (pennant.price, pennant.currency) == (Decimal("11.05"), "GBP")
    seen = marketplace.calls(WOO)[0].query
    assert seen["search"] == "WordPress Pennant" and seen["per_page"] == "100"


async def test_woocommerce_three_minor_units_and_ranges(
    marketplace: Marketplace, woo_minor3: list[dict[str, Any]]
) -> None:
    marketplace.on("GET", WOO, Reply(200, woo_minor3, {"X-WP-TotalPages": "1"}))
    async with httpx.AsyncClient() as client:
        store = woocommerce(marketplace.url, client)
        result = await store.fetch(
            pricing_request(ProductAttribution(name="Hoodie"), "woocommerce")
        )
    assert sorted((x.title, x.price) for x in result.listings) == [
        ("Hoodie with Pocket", Decimal("35.000")),
        ("Hoodie with Zipper", Decimal("45.000")),
    ]
    grouped = next(p for p in woo_minor3 if p["type"] == "grouped")
    assert minor_units(grouped["prices"]) == (Decimal("18.000"), "USD")  # the low end


async def test_woocommerce_garbage_is_a_clean_failure(marketplace: Marketplace) -> None:
    marketplace.on("GET", WOO, Reply(200, "<html>Bad gateway</html>"))
    async with httpx.AsyncClient() as client:
        store = woocommerce(marketplace.url, client)
        result = await store.fetch(
            pricing_request(ProductAttribution(name="Hoodie"), "woocommerce")
        )
    assert result.status == "failed" and "not JSON" in (result.error or "")
    assert result.exchanges and result.exchanges[0].body.startswith(b"<html>")  # kept for audit


def woo_page(products: list[dict[str, Any]], page: int, size: int = 100) -> list[dict[str, Any]]:
    """`size` products of a real shop's capture, with ids of their own for the page."""
    return [{**products[n % len(products)], "id": page * 1000 + n} for n in range(size)]


async def test_woocommerce_pages_until_x_wp_totalpages(
    marketplace: Marketplace, woo_minor3: list[dict[str, Any]]
) -> None:
    pages = {"1": woo_page(woo_minor3, 1), "2": woo_page(woo_minor3, 2)}
    marketplace.on(
        "GET",
        WOO,
        lambda seen: Reply(
            200, pages.get(seen.query["page"], []), {"X-WP-Total": "200", "X-WP-TotalPages": "2"}
        ),
    )
    async with httpx.AsyncClient() as client:
        store = woocommerce(marketplace.url, client)
        result = await store.fetch(
            pricing_request(
                ProductAttribution(name="Hoodie"),
                "woocommerce",
                rules=SourceRules(max_results=1000),
            )
        )
    calls = marketplace.calls(WOO)
    assert [c.query["page"] for c in calls] == ["1", "2"]  # both full, and no third page
    assert all(c.query["per_page"] == "100" for c in calls)
    assert result.status == "ok"
    assert len(result.listings) == 40  # two hoodies in each ten products of the shop
    assert {x.price for x in result.listings} == {Decimal("35.000"), Decimal("45.000")}
    assert len({x.marketplace_id for x in result.listings}) == 40


async def test_woocommerce_a_short_page_is_the_last(
    marketplace: Marketplace, woo_minor3: list[dict[str, Any]]
) -> None:
    marketplace.on("GET", WOO, Reply(200, woo_minor3))  # no paging headers at all
    async with httpx.AsyncClient() as client:
        store = woocommerce(marketplace.url, client)
        result = await store.fetch(
            pricing_request(ProductAttribution(name="Hoodie"), "woocommerce")
        )
    assert [c.query["page"] for c in marketplace.calls(WOO)] == ["1"]
    assert len(result.listings) == 2


async def test_woocommerce_429_is_waited_out_and_5xx_gives_up(
    marketplace: Marketplace, woo_minor3: list[dict[str, Any]]
) -> None:
    throttled = {"code": "rate_limit_exceeded", "message": "Too many requests.", "data": {}}
    marketplace.on(
        "GET",
        WOO,
        [Reply(429, throttled, {"Retry-After": "0"}), Reply(200, woo_minor3)],
    )
    async with httpx.AsyncClient() as client:
        store = woocommerce(marketplace.url, client)
        ok = await store.fetch(pricing_request(ProductAttribution(name="Hoodie"), "woocommerce"))
        marketplace.on("GET", WOO, Reply(500, "<html>Internal Server Error</html>"))
        down = await store.fetch(pricing_request(ProductAttribution(name="Hoodie"), "woocommerce"))
    assert (ok.status, ok.error) == ("ok", None)
    assert [x.status for x in ok.exchanges] == [429, 200] and len(ok.listings) == 2
    assert (down.status, down.error, down.listings) == ("failed", "the store answered 500", [])
    assert len(down.exchanges) == 3  # retried with backoff, then given up


async def test_woocommerce_json_of_the_wrong_shape_fails_cleanly(marketplace: Marketplace) -> None:
    wp_error = {"code": "rest_no_route", "message": "No route was found.", "data": {"status": 404}}
    marketplace.on("GET", WOO, Reply(200, wp_error))
    async with httpx.AsyncClient() as client:
        store = woocommerce(marketplace.url, client)
        result = await store.fetch(
            pricing_request(ProductAttribution(name="Hoodie"), "woocommerce")
        )
    assert (result.status, result.error) == ("failed", "the store answered no product list")

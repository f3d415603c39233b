"""The Shopify store adapter over real HTTP, against real responses.

Source (../shared/data, see SOURCES.md): a Shopify theme demo store's product objects
(imprince-kushwaha/AboutCookies; AJAX shape, prices in cents).
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from adapter_support import Bound, quick_caller
from marketplace_server import Marketplace, Reply
from request_support import pricing_request

from fairmarket.collector.adapters.shopify import PRODUCTS as SHOPIFY
from fairmarket.collector.adapters.shopify import ShopifyAdapter, StoreConfig, product_listings
from fairmarket.collector.domain.money import Rates
from fairmarket.collector.domain.normalize import to_price_point
from fairmarket.collector.domain.products import is_candidate
from fairmarket.common.events import (
    CoinAttribution,
    ProductAttribution,
    SourceRules,
)


def shopify(url: str, client: httpx.AsyncClient, currency: str = "USD") -> Bound:
    """The adapter for a store at `url` priced in `currency`, fetched as the collector does."""
    return Bound(ShopifyAdapter(StoreConfig(url, currency)), quick_caller(client))


@pytest.fixture
def shopify_products(shared_data: Path) -> list[dict[str, Any]]:
    path = (
        shared_data / "shopify" / "shopify_ajax_product_js_coffee_theme_demo_store_12products.json"
    )
    return json.loads(path.read_text())


async def test_shopify_variants_of_the_named_product_are_asks_in_the_store_currency(
    marketplace: Marketplace, shopify_products: list[dict[str, Any]]
) -> None:
    marketplace.on("GET", SHOPIFY, Reply(200, {"products": shopify_products}))
    item = ProductAttribution(name="Patch Roast Coffee Bags", variant="150g")
    async with httpx.AsyncClient() as client:
        store = shopify(marketplace.url, client, "EUR")
        result = await store.fetch(pricing_request(item, "shopify"))
    assert result.status == "ok"
    [only] = result.listings  # the 240g bag and the other eleven products are not this item
    assert only.marketplace_id == "9779829866779:50107071693083"
    assert (only.price, only.currency, only.kind) == (Decimal("220"), "EUR", "ask")
    assert only.url and only.url.endswith(
        "/products/patch-roast-coffee-bags?variant=50107071693083"
    )
    assert marketplace.calls(SHOPIFY)[0].query == {"limit": "250", "page": "1"}


async def test_shopify_compare_at_prices_are_kept_and_the_ask_is_the_price_charged(
    marketplace: Marketplace, shopify_products: list[dict[str, Any]]
) -> None:
    """The capture's Patch Roast bags are marked down from 399.00 (`compare_at_price` 39900),
    Coconut Cloud's 28g from 199.00; Nescafe Classic has no compare-at price."""
    marketplace.on("GET", SHOPIFY, Reply(200, {"products": shopify_products}))
    async with httpx.AsyncClient() as client:
        store = shopify(marketplace.url, client, "EUR")
        patch = await store.fetch(
            pricing_request(ProductAttribution(name="Patch Roast Coffee"), "shopify")
        )
        nescafe = await store.fetch(
            pricing_request(ProductAttribution(name="Nescafe Classic"), "shopify")
        )
        cloud = await store.fetch(
            pricing_request(ProductAttribution(name="Coconut Cloud"), "shopify")
        )
    assert [(x.price, x.compare_at_price) for x in patch.listings] == [
        (Decimal("220"), Decimal("399")),
        (Decimal("220"), Decimal("399")),
    ]
    assert {x.condition for x in patch.listings} == {"New, compare-at price 399.00 EUR"}
    assert {(x.compare_at_price, x.condition) for x in nescafe.listings} == {(None, "New")}
    assert len(nescafe.listings) == 3
    by_size = {x.title.rsplit(" ", 1)[1]: x.compare_at_price for x in cloud.listings}
    assert by_size == {"28g": Decimal("199"), "36g": Decimal("119"), "48g": Decimal("119")}

    # the price point carries the ask at the price charged, and the compare-at in its condition
    req = pricing_request(ProductAttribution(name="Patch Roast Coffee"), "shopify")
    point = to_price_point(
        patch.listings[0],
        req,
        raw_artifact_id=None,
        rates=Rates(),
        now=datetime(2025, 4, 2, tzinfo=UTC),
    )
    assert (point.price, point.currency, point.kind) == (Decimal("220"), "EUR", "ask")
    assert point.condition == "New, compare-at price 399.00 EUR"


def test_shopify_a_compare_at_price_not_above_the_price_is_no_markdown(
    shopify_products: list[dict[str, Any]],
) -> None:
    product = copy.deepcopy(shopify_products[0])  # Patch Roast Coffee Bags
    product["variants"][0]["compare_at_price"] = product["variants"][0]["price"]
    product["variants"][1]["compare_at_price"] = None
    config = StoreConfig("https://store.example", "EUR")
    listings = product_listings(product, ProductAttribution(name="Patch Roast"), config, index=0)
    assert [(x.compare_at_price, x.condition) for x in listings] == [(None, "New")] * 2


async def test_shopify_sold_out_variants_and_products_are_not_asks(
    marketplace: Marketplace, shopify_products: list[dict[str, Any]]
) -> None:
    """The capture with Coconut Cloud's 36g sold out and Patch Roast sold out altogether
    (the AJAX shape says so on the product as well as on each variant)."""
    products = copy.deepcopy(shopify_products)
    cloud = next(p for p in products if p["title"].startswith("Coconut Cloud"))
    next(v for v in cloud["variants"] if v["title"] == "36g")["available"] = False
    patch = next(p for p in products if p["title"] == "Patch Roast Coffee Bags")
    patch["available"] = False
    for v in patch["variants"]:
        v["available"] = False
    only_product = copy.deepcopy(patch)
    for v in only_product["variants"]:
        v.pop("available")  # a product sold out with variants that do not say it
    marketplace.on("GET", SHOPIFY, Reply(200, {"products": products}))
    async with httpx.AsyncClient() as client:
        store = shopify(marketplace.url, client, "EUR")
        cloud_asks = await store.fetch(
            pricing_request(ProductAttribution(name="Coconut Cloud"), "shopify")
        )
        patch_asks = await store.fetch(
            pricing_request(ProductAttribution(name="Patch Roast"), "shopify")
        )
    assert sorted(x.title.rsplit(" ", 1)[1] for x in cloud_asks.listings) == ["28g", "48g"]
    assert (patch_asks.status, patch_asks.listings) == ("ok", [])
    config = StoreConfig("https://store.example")
    assert (
        product_listings(only_product, ProductAttribution(name="Patch Roast"), config, index=0)
        == []
    )


DEMO_VENDOR = "coffee-prime-2 (password: 1)"  # the demo store's vendor on its products


def demo(title: str) -> str:
    """A title as the Shopify adapter builds it: vendor, product title, variant."""
    return f"{DEMO_VENDOR} {title}"


@pytest.mark.parametrize(
    ("brand", "name", "vendor", "text", "candidate"),
    [
        # the Shopify demo store's products (../shared/data/shopify)
        ("Coconut Cloud", "Hot Chocolate Coffee", DEMO_VENDOR,
         demo("Coconut Cloud Vegan Instant Hot Chocolate Coffee 28g"), True),
        ("Coconut Cloud", "Hot Chocolate Coffee", DEMO_VENDOR,
         demo("Hot Chocolate With Ashawagndha Coffee 100g"), False),
        ("Nescafé", "Roast Coffee", DEMO_VENDOR,
         demo("Nescafe Classic Black Roast Coffee 140g"), True),
        ("Nescafé", "Roast Coffee", "coffee-prime-2",
         "coffee-prime-2 Patch Roast Coffee Bags 150g", False),
        ("Vienna Tales", "Organic Fairtrade Whole Bean Coffee", DEMO_VENDOR,
         demo("Vienna Tales Organic Fairtrade Whole Bean Coffee 350g"), True),
        ("Don Francisco's", "Cold Brew Organic Ground Coffee", DEMO_VENDOR,
         demo("Don Francisco's Cold Brew Organic Ground Coffee 255g"), True),
        ("Onyx Coffee Lab, Inc.", "Geometry Whole Bean Coffee", "Onyx Coffee Lab",
         "Onyx Coffee Lab Geometry Whole Bean Coffee 250g", True),
        # WooCommerce titles are the product name; the brand, when given, is `brands`
        ("Woo", "Hoodie with Zipper", "Woo", "Hoodie with Zipper", True),
        ("Acme", "Hoodie with Zipper", "Woo", "Hoodie with Zipper", False),
        # no vendor or brand in the listing (the WooCommerce test shop): the name decides
        ("Acme", "Hoodie with Zipper", None, "Hoodie with Zipper", True),
    ],
)  # fmt: skip
def test_a_listing_that_names_a_vendor_is_a_candidate_only_with_the_brand(
    brand: str, name: str, vendor: str | None, text: str, candidate: bool
) -> None:
    assert is_candidate(ProductAttribution(brand=brand, name=name), text, vendor) is candidate


async def test_shopify_keeps_only_the_brand_asked_for(
    marketplace: Marketplace, shopify_products: list[dict[str, Any]]
) -> None:
    """Two of the demo store's products are hot chocolate coffee; one is Coconut Cloud's."""
    marketplace.on("GET", SHOPIFY, Reply(200, {"products": shopify_products}))
    item = ProductAttribution(brand="Coconut Cloud", name="Hot Chocolate Coffee")
    async with httpx.AsyncClient() as client:
        store = shopify(marketplace.url, client)
        result = await store.fetch(pricing_request(item, "shopify"))
    assert result.status == "ok" and result.listings
    assert {x.title.removeprefix(DEMO_VENDOR).strip() for x in result.listings} == {
        f"Coconut Cloud Vegan Instant Hot Chocolate Coffee {v}" for v in ("28g", "36g", "48g")
    }


async def test_shopify_pages_by_250_and_reads_decimal_string_prices(
    marketplace: Marketplace,
) -> None:
    def product(n: int, available: bool = True) -> dict[str, Any]:
        return {
            "id": n,
            "title": f"Geometry Whole Bean Coffee lot {n}",
            "handle": f"geometry-{n}",
            "vendor": "Onyx Coffee Lab",
            "updated_at": "2026-11-01T10:00:00-05:00",
            "variants": [
                {"id": n * 10, "title": "Default Title", "price": "21.50", "available": available}
            ],
        }

    first = [product(n) for n in range(1, 251)]
    second = [product(251), product(252, available=False)]
    marketplace.on(
        "GET",
        SHOPIFY,
        lambda seen: Reply(200, {"products": first if seen.query["page"] == "1" else second}),
    )
    item = ProductAttribution(brand="Onyx Coffee Lab", name="Geometry Whole Bean Coffee")
    async with httpx.AsyncClient() as client:
        store = shopify(marketplace.url, client)
        result = await store.fetch(
            pricing_request(item, "shopify", rules=SourceRules(max_results=1000))
        )
    assert [c.query["page"] for c in marketplace.calls(SHOPIFY)] == ["1", "2"]
    assert len(result.listings) == 251  # the sold-out variant is no ask
    assert {x.price for x in result.listings} == {Decimal("21.50")}
    assert all(x.title.startswith("Onyx Coffee Lab Geometry") for x in result.listings)


async def test_a_store_down_fails_with_the_reason_and_other_categories_are_refused(
    marketplace: Marketplace,
) -> None:
    marketplace.on("GET", SHOPIFY, Reply(503, "<html>maintenance</html>"))
    async with httpx.AsyncClient() as client:
        store = shopify(marketplace.url, client)
        down = await store.fetch(pricing_request(ProductAttribution(name="Geometry"), "shopify"))
        coin = await store.fetch(pricing_request(CoinAttribution(year=1921), "shopify"))
    assert (down.status, down.error) == ("failed", "the store answered 503")
    assert len(marketplace.calls(SHOPIFY)) == 3  # retried with backoff, then given up
    assert coin.status == "failed" and "retail products only" in (coin.error or "")


async def test_shopify_429_is_waited_out_then_read(
    marketplace: Marketplace, shopify_products: list[dict[str, Any]]
) -> None:
    throttled = {"errors": "Exceeded 2 calls per second for api client. Reduce request rates."}
    marketplace.on(
        "GET",
        SHOPIFY,
        [Reply(429, throttled, {"Retry-After": "0"}), Reply(200, {"products": shopify_products})],
    )
    item = ProductAttribution(name="Patch Roast Coffee Bags", variant="150g")
    async with httpx.AsyncClient() as client:
        store = shopify(marketplace.url, client, "EUR")
        result = await store.fetch(pricing_request(item, "shopify"))
    assert (result.status, result.error) == ("ok", None)
    assert [x.status for x in result.exchanges] == [429, 200]
    assert [x.price for x in result.listings] == [Decimal("220")]


NOT_JSON = "the store answered a body that is not JSON"
NO_LIST = "the store answered no product list"
FIRST_PRODUCT = "<the capture's first product, unwrapped>"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("<html><body>Your connection needs to be verified.</body></html>", NOT_JSON),
        ('{"products": [{"id": 1', NOT_JSON),  # cut off mid-body
        # the AJAX endpoint's shape (one product, /products/<handle>.js), not products.json
        (FIRST_PRODUCT, NO_LIST),
        ([], NO_LIST),
        ({"products": {"id": 1}}, NO_LIST),
    ],
)
async def test_shopify_malformed_bodies_fail_cleanly(
    marketplace: Marketplace, shopify_products: list[dict[str, Any]], body: Any, reason: str
) -> None:
    answer = shopify_products[0] if body == FIRST_PRODUCT else body
    marketplace.on("GET", SHOPIFY, Reply(200, answer))
    async with httpx.AsyncClient() as client:
        store = shopify(marketplace.url, client)
        result = await store.fetch(
            pricing_request(ProductAttribution(name="Patch Roast"), "shopify")
        )
    assert (result.status, result.error, result.listings) == ("failed", reason, [])
    assert len(marketplace.calls(SHOPIFY)) == 1  # a bad body is not retried

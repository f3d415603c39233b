"""Discogs and TCGplayer adapters over real HTTP.

Discogs bodies are real (../shared/data/discogs, see SOURCES.md): the API docs'
`/marketplace/stats` and `/marketplace/price_suggestions` examples and the
python3-discogs-client fixture of `/database/search`. No real TCGplayer pricing
body is public (the API is closed to new developers); its bodies here follow the
documented shape, with prices from real TCGplayer sales of one product
(tcgplayer_latestsales_mtg_by_product.csv).
"""

from __future__ import annotations

import csv
import json
import statistics
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from adapter_support import Bound, quick_caller
from marketplace_server import Marketplace, Reply, Seen
from request_support import pricing_request

from fairmarket.collector.adapters.discogs import (
    SEARCH,
    DiscogsAdapter,
    DiscogsConfig,
    media_grade,
)
from fairmarket.collector.adapters.tcgplayer import (
    PRODUCTS,
    TcgplayerAdapter,
    TcgplayerConfig,
)
from fairmarket.common.events import (
    CardAttribution,
    RecordAttribution,
)

ICARUS = RecordAttribution(artist="Trash80", title="Icarus", catalog_number="8BP086")


def discogs_at(market: Marketplace, client: httpx.AsyncClient, token: str = "t") -> Bound:
    """The Discogs adapter against `market`, fetched as the collector does."""
    return Bound(DiscogsAdapter(DiscogsConfig(market.url, token)), quick_caller(client))


def tcg_at(market: Marketplace, client: httpx.AsyncClient) -> Bound:
    """The TCGplayer adapter against `market`, fetched as the collector does."""
    return Bound(TcgplayerAdapter(TcgplayerConfig(market.url, "pub", "priv")), quick_caller(client))


def discogs_file(shared: Path, name: str) -> Any:
    return json.loads((shared / "discogs" / name).read_text())


@pytest.fixture
def discogs_market(marketplace: Marketplace, shared_data: Path) -> Marketplace:
    marketplace.on(
        "GET",
        SEARCH,
        Reply(
            200,
            discogs_file(
                shared_data, "joalla_fixture_database_search_q_trash80_per_page_50_page_1.json"
            ),
        ),
    )
    marketplace.on(
        "GET",
        "/marketplace/stats/1743771",
        Reply(200, discogs_file(shared_data, "discogs_docs_marketplace_stats_release_1.json")),
    )
    marketplace.on(
        "GET",
        "/marketplace/price_suggestions/1743771",
        Reply(200, discogs_file(shared_data, "discogs_docs_price_suggestions_release_1.json")),
    )
    return marketplace


async def test_discogs_resolves_the_release_and_never_calls_asks_or_guides_sales(
    discogs_market: Marketplace,
) -> None:
    async with httpx.AsyncClient() as client:
        discogs = discogs_at(discogs_market, client, "tok-123")
        result = await discogs.fetch(pricing_request(ICARUS, "discogs"))
    assert result.status == "ok" and result.error is None
    search = discogs_market.calls(SEARCH)[0]
    assert search.headers["authorization"] == "Discogs token=tok-123"
    assert search.query["catno"] == "8BP086" and search.query["type"] == "release"
    assert discogs_market.calls("/marketplace/stats/1743771")[0].query["curr_abbr"] == "USD"
    kinds = {x.kind for x in result.listings}
    assert kinds == {"ask", "guide"}  # Discogs has no sold history
    ask = next(x for x in result.listings if x.kind == "ask")
    assert (ask.price, ask.currency) == (Decimal("2.09"), "USD")
    assert "of 26 for sale" in ask.title and "Trash80 - Icarus (8BP086)" in ask.title
    guides = {x.grade: x.price for x in result.listings if x.kind == "guide"}
    assert guides["VG+"] == Decimal("9.80") and guides["NM"] == Decimal("12.81")
    assert len(guides) == 8
    assert all("tok-123" not in str(x.params) + x.url for x in result.exchanges)


async def test_discogs_with_a_release_id_skips_the_search(discogs_market: Marketplace) -> None:
    known = RecordAttribution(artist="Trash80", title="Icarus", discogs_release_id=1743771)
    async with httpx.AsyncClient() as client:
        discogs = discogs_at(discogs_market, client)
        result = await discogs.fetch(pricing_request(known, "discogs"))
    assert not discogs_market.calls(SEARCH) and len(result.listings) == 9


async def test_discogs_no_matching_release_is_ok_with_no_comps_and_says_why(
    discogs_market: Marketplace,
) -> None:
    other = RecordAttribution(artist="Trash80", title="Icarus", catalog_number="NOPE-1")
    async with httpx.AsyncClient() as client:
        discogs = discogs_at(discogs_market, client)
        result = await discogs.fetch(pricing_request(other, "discogs"))
    assert (result.status, result.listings) == ("ok", [])
    assert result.error == "no Discogs release matches the attribution"


async def test_discogs_429_is_waited_out_and_a_broken_body_fails_cleanly(
    discogs_market: Marketplace, shared_data: Path
) -> None:
    stats = discogs_file(shared_data, "discogs_docs_marketplace_stats_release_1.json")
    discogs_market.on(
        "GET",
        "/marketplace/stats/1743771",
        [
            Reply(429, {"message": "You are making requests too quickly."}, {"Retry-After": "0"}),
            Reply(200, stats),
        ],
    )
    async with httpx.AsyncClient() as client:
        discogs = discogs_at(discogs_market, client)
        ok = await discogs.fetch(pricing_request(ICARUS, "discogs"))
        discogs_market.on("GET", "/marketplace/price_suggestions/1743771", Reply(200, "{not json"))
        broken = await discogs.fetch(pricing_request(ICARUS, "discogs"))
    assert ok.status == "ok" and len(ok.listings) == 9
    assert broken.status == "partial" and "not JSON" in (broken.error or "")
    assert [x.kind for x in broken.listings] == ["ask"]  # what did arrive is kept


def test_media_grades_from_discogs_condition_names() -> None:
    assert media_grade("Very Good Plus (VG+)") == "VG+"
    assert media_grade("Near Mint (NM or M-)") == "NM"
    assert media_grade("Mint (M)") == "M"


# --- TCGplayer ---

MYSTERY = 208_391  # the product with the most near-mint sales in the capture


@pytest.fixture
def sales_of_product(shared_data: Path) -> dict[str, list[float]]:
    by_condition: dict[str, list[float]] = {}
    with (shared_data / "tcgplayer" / "tcgplayer_latestsales_mtg_by_product.csv").open() as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["tcgplayer_product_id"] == str(MYSTERY) and row["variant"] == "Normal":
            by_condition.setdefault(row["condition"], []).append(float(row["purchase_price_usd"]))
    return by_condition


def tcg_market(market: Marketplace, sales: dict[str, list[float]]) -> None:
    nm = sales.get("Near Mint") or next(iter(sales.values()))
    tokens = iter(["first-token", "second-token"])
    market.on(
        "POST",
        "/token",
        lambda seen: Reply(
            200, {"access_token": next(tokens), "token_type": "bearer", "expires_in": 1209599}
        ),
    )
    market.on(
        "GET",
        PRODUCTS,
        Reply(
            200,
            {
                "success": True,
                "errors": [],
                "totalItems": 2,
                "results": [
                    {
                        "productId": MYSTERY,
                        "name": "Sol Ring",
                        "groupId": 2572,
                        "extendedData": [{"name": "Number", "value": "250"}],
                    },
                    {
                        "productId": 1,
                        "name": "Sol Ring",
                        "groupId": 1,
                        "extendedData": [{"name": "Number", "value": "274"}],
                    },
                ],
            },
        ),
    )

    def pricing(seen: Seen) -> Reply:
        if seen.headers.get("authorization") == "bearer first-token":
            return Reply(401, {"success": False, "errors": ["Unauthorized"]})
        return Reply(
            200,
            {
                "success": True,
                "errors": [],
                "results": [
                    {
                        "productId": MYSTERY,
                        "lowPrice": min(nm),
                        "midPrice": statistics.median(nm),
                        "highPrice": max(nm),
                        "marketPrice": statistics.median(nm),
                        "directLowPrice": None,
                        "subTypeName": "Normal",
                    },
                    {
                        "productId": MYSTERY,
                        "lowPrice": 9.0,
                        "midPrice": 12.0,
                        "highPrice": 30.0,
                        "marketPrice": 11.5,
                        "directLowPrice": None,
                        "subTypeName": "Foil",
                    },
                ],
            },
        )

    market.on("GET", f"/pricing/product/{MYSTERY}", pricing)


async def test_tcgplayer_prices_are_guides_for_the_numbered_card_and_its_printing(
    marketplace: Marketplace, sales_of_product: dict[str, list[float]]
) -> None:
    tcg_market(marketplace, sales_of_product)
    card = CardAttribution(game="Magic", name="Sol Ring", number="250")
    async with httpx.AsyncClient() as client:
        tcg = tcg_at(marketplace, client)
        result = await tcg.fetch(pricing_request(card, "tcgplayer"))
    assert result.status == "ok", result.error
    token = marketplace.calls("/token")[0].body.decode()
    assert "client_id=pub" in token and "grant_type=client_credentials" in token
    assert marketplace.calls(PRODUCTS)[0].query["categoryId"] == "1"
    assert len(marketplace.calls("/token")) == 2  # the 401 got one fresh token
    assert {x.kind for x in result.listings} == {"guide"}
    assert all("Normal" in x.title and x.grade == "NM" for x in result.listings)  # no foil
    market = next(x for x in result.listings if "market price" in x.title)
    assert market.price == Decimal(str(statistics.median(sales_of_product["Near Mint"]))).quantize(
        Decimal("0.01")
    )
    assert len(result.listings) == 4  # market, mid, low, high; no direct low given


async def test_tcgplayer_refuses_what_is_not_a_card(marketplace: Marketplace) -> None:
    async with httpx.AsyncClient() as client:
        tcg = tcg_at(marketplace, client)
        result = await tcg.fetch(pricing_request(ICARUS, "tcgplayer"))
    assert result.status == "failed" and not marketplace.seen


SOL_RING = CardAttribution(game="Magic", name="Sol Ring", number="250")


async def test_tcgplayer_429_is_waited_out_then_priced(
    marketplace: Marketplace, sales_of_product: dict[str, list[float]]
) -> None:
    tcg_market(marketplace, sales_of_product)
    lookup = marketplace.routes[("GET", PRODUCTS)]
    throttled = iter([Reply(429, {"success": False, "errors": []}, {"Retry-After": "0"})])
    marketplace.on("GET", PRODUCTS, lambda seen: next(throttled, None) or lookup(seen))
    async with httpx.AsyncClient() as client:
        result = await tcg_at(marketplace, client).fetch(pricing_request(SOL_RING, "tcgplayer"))
    assert result.status == "ok" and result.error is None
    assert [x.status for x in result.exchanges if x.url.endswith(PRODUCTS)] == [429, 200]
    assert len(result.listings) == 4


async def test_tcgplayer_down_fails_with_the_reason(
    marketplace: Marketplace, sales_of_product: dict[str, list[float]]
) -> None:
    tcg_market(marketplace, sales_of_product)
    marketplace.on("GET", f"/pricing/product/{MYSTERY}", Reply(502, "<html>Bad Gateway</html>"))
    async with httpx.AsyncClient() as client:
        result = await tcg_at(marketplace, client).fetch(pricing_request(SOL_RING, "tcgplayer"))
    # the lookup answered, the pricing never did: nothing usable, so failed, not partial
    assert result.status == "failed" and result.listings == []
    assert result.error == f"TCGplayer answered 502 for /pricing/product/{MYSTERY}"
    assert len(marketplace.calls(f"/pricing/product/{MYSTERY}")) == 3  # retried, then given up


@pytest.mark.parametrize(
    ("path", "body", "reason"),
    [
        (PRODUCTS, "<html>Service Unavailable</html>", "not JSON for /catalog/products"),
        (PRODUCTS, [{"productId": MYSTERY}], "unexpected body for /catalog/products"),
        (PRODUCTS, {"success": True, "results": {"productId": MYSTERY}}, "no result list"),
        (f"/pricing/product/{MYSTERY}", "{truncated", "not JSON for /pricing/product/"),
        (f"/pricing/product/{MYSTERY}", {"success": True}, "no result list for /pricing/"),
    ],
)
async def test_tcgplayer_malformed_bodies_fail_cleanly(
    marketplace: Marketplace,
    sales_of_product: dict[str, list[float]],
    path: str,
    body: Any,
    reason: str,
) -> None:
    tcg_market(marketplace, sales_of_product)
    marketplace.on("GET", path, Reply(200, body))
    async with httpx.AsyncClient() as client:
        result = await tcg_at(marketplace, client).fetch(pricing_request(SOL_RING, "tcgplayer"))
    assert result.status == "failed" and result.listings == []
    assert reason in (result.error or "")


async def test_discogs_5xx_fails_with_the_reason(discogs_market: Marketplace) -> None:
    async with httpx.AsyncClient() as client:
        discogs = discogs_at(discogs_market, client)
        discogs_market.on("GET", SEARCH, Reply(503, {"message": "Service Unavailable"}))
        search_down = await discogs.fetch(pricing_request(ICARUS, "discogs"))
        known = RecordAttribution(artist="Trash80", title="Icarus", discogs_release_id=1743771)
        discogs_market.on("GET", "/marketplace/stats/1743771", Reply(500, "Internal Error"))
        discogs_market.on("GET", "/marketplace/price_suggestions/1743771", Reply(500, ""))
        stats_down = await discogs.fetch(pricing_request(known, "discogs"))
    assert search_down.status == "failed" and search_down.listings == []
    assert search_down.error == "Discogs answered 503 for /database/search"
    assert len(discogs_market.calls(SEARCH)) == 3  # retried with backoff, then given up
    assert stats_down.status == "failed" and stats_down.listings == []
    assert stats_down.error == "Discogs answered 500 for /marketplace/stats/1743771"


async def test_discogs_json_of_the_wrong_shape_fails_cleanly(discogs_market: Marketplace) -> None:
    discogs_market.on("GET", "/marketplace/stats/1743771", Reply(200, [{"lowest_price": 2.09}]))
    async with httpx.AsyncClient() as client:
        discogs = discogs_at(discogs_market, client)
        stats = await discogs.fetch(pricing_request(ICARUS, "discogs"))
        discogs_market.on("GET", SEARCH, Reply(200, {"pagination": {}, "results": None}))
        search = await discogs.fetch(pricing_request(ICARUS, "discogs"))
    assert stats.status == "failed" and stats.listings == []
    assert stats.error == "Discogs answered an unexpected body for /marketplace/stats/1743771"
    assert (search.status, search.error) == ("failed", "Discogs search answered an unexpected body")

"""The eBay adapter over real HTTP, against real Browse API responses (../shared/data/ebay).

Source: gaurav-arun/ebay-alerts (July 2023), `item_summary/search?q=iphone`; see SOURCES.md.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from adapter_support import Bound, quick_caller
from marketplace_server import Marketplace, Reply
from request_support import pricing_request

from fairmarket.collector.adapters.ebay import (
    BROWSE,
    INSIGHTS,
    INSIGHTS_SCOPE,
    EbayAdapter,
    EbayConfig,
)
from fairmarket.collector.adapters.http import HttpCaller
from fairmarket.collector.domain.money import Rates
from fairmarket.collector.domain.normalize import to_price_point
from fairmarket.common.events import (
    CoinAttribution,
    PricingRequestedData,
    ProductAttribution,
    SourceRules,
)

TOKEN = "/identity/v1/oauth2/token"


def request(max_results: int = 200, **rules: Any) -> PricingRequestedData:
    """An iPhone priced at eBay under the source's `rules`."""
    iphone = ProductAttribution(brand="Apple", name="iPhone")
    return pricing_request(iphone, "ebay", rules=SourceRules(max_results=max_results, **rules))


def adapter(market: Marketplace, client: httpx.AsyncClient, insights: bool = False) -> Bound:
    config = EbayConfig(market.url, "client-id", "client-secret-xyz", insights=insights)
    return Bound(EbayAdapter(config), quick_caller(client))


def token(seen: Any = None, expires_in: int = 7200) -> Reply:
    return Reply(
        200,
        {
            "access_token": f"t-{uuid.uuid4().hex}",
            "expires_in": expires_in,
            "token_type": "Application Access Token",
        },
    )


@pytest.fixture
def capture(shared_data: Path) -> dict[str, Any]:
    path = (
        shared_data / "ebay" / "browse_item_summary_search_iphone_bestmatch_100items_2023-07.json"
    )
    return json.loads(path.read_text())


def pages(capture: dict[str, Any], size: int) -> list[Reply]:
    items = capture["itemSummaries"]
    out = []
    for offset in range(0, len(items), size):
        body = {
            **capture,
            "offset": offset,
            "limit": size,
            "itemSummaries": items[offset : offset + size],
        }
        body.pop("next", None)
        if offset + size < len(items):
            body["next"] = f"/buy/browse/v1/item_summary/search?offset={offset + size}"
        out.append(Reply(200, body))
    return out


async def test_parses_a_real_browse_response(
    marketplace: Marketplace, capture: dict[str, Any]
) -> None:
    marketplace.on("POST", TOKEN, token)
    marketplace.on("GET", BROWSE, Reply(200, capture))
    async with httpx.AsyncClient() as client:
        result = await adapter(marketplace, client).fetch(request(max_results=100))
    assert result.status == "ok", result.error
    assert len(result.listings) == len(capture["itemSummaries"])
    first = capture["itemSummaries"][0]
    listing = result.listings[0]
    assert listing.marketplace_id == first["itemId"]
    assert listing.price == Decimal(first["price"]["value"])
    assert listing.kind == "ask"  # Browse lists what is for sale, not what sold
    assert {x.currency for x in result.listings} == {"USD"}
    auth = marketplace.calls(TOKEN)[0].headers["authorization"]
    assert auth.startswith("Basic ")
    assert all("client-secret-xyz" not in x.url + json.dumps(x.params) for x in result.exchanges)
    search = marketplace.calls(BROWSE)[0]
    assert search.headers["authorization"].startswith("Bearer t-")
    assert search.query["q"] == "Apple iPhone"


async def test_pages_until_there_is_no_next(
    marketplace: Marketplace, capture: dict[str, Any]
) -> None:
    marketplace.on("POST", TOKEN, token)
    marketplace.on("GET", BROWSE, lambda seen: pages(capture, 40)[int(seen.query["offset"]) // 40])
    async with httpx.AsyncClient() as client:
        ebay = Bound(
            EbayAdapter(EbayConfig(marketplace.url, "id", "secret")),
            HttpCaller(client, backoff=0.01),
        )
        result = await ebay.fetch(request(max_results=1000))
    assert [c.query["offset"] for c in marketplace.calls(BROWSE)] == ["0", "40", "80"]
    assert len({x.marketplace_id for x in result.listings}) == 100
    assert len(marketplace.calls(TOKEN)) == 1  # the token is cached across pages


async def test_empty_results(marketplace: Marketplace) -> None:
    marketplace.on("POST", TOKEN, token)
    marketplace.on("GET", BROWSE, Reply(200, {"href": "x", "total": 0, "limit": 200, "offset": 0}))
    async with httpx.AsyncClient() as client:
        result = await adapter(marketplace, client).fetch(request())
    assert result.status == "ok" and result.listings == []


async def test_a_malformed_body_fails_the_request_cleanly(marketplace: Marketplace) -> None:
    marketplace.on("POST", TOKEN, token)
    marketplace.on("GET", BROWSE, Reply(200, "<html>oops</html>"))
    async with httpx.AsyncClient() as client:
        result = await adapter(marketplace, client).fetch(request())
    assert result.status == "failed" and "not JSON" in (result.error or "")
    assert result.exchanges[-1].body == b"<html>oops</html>"  # kept for audit


async def test_a_401_gets_one_fresh_token(
    marketplace: Marketplace, capture: dict[str, Any]
) -> None:
    marketplace.on("POST", TOKEN, token)
    marketplace.on(
        "GET",
        BROWSE,
        [
            Reply(401, {"errors": [{"errorId": 1001, "message": "Invalid access token"}]}),
            Reply(200, capture),
        ],
    )
    async with httpx.AsyncClient() as client:
        result = await adapter(marketplace, client).fetch(request(max_results=100))
    assert result.status == "ok"
    assert len(marketplace.calls(TOKEN)) == 2


async def test_429_is_retried_after_retry_after_and_5xx_gives_up(
    marketplace: Marketplace, capture: dict[str, Any]
) -> None:
    marketplace.on("POST", TOKEN, token)
    marketplace.on(
        "GET", BROWSE, [Reply(429, {"errors": []}, {"Retry-After": "0"}), Reply(200, capture)]
    )
    async with httpx.AsyncClient() as client:
        ok = await adapter(marketplace, client).fetch(request(max_results=100))
    assert ok.status == "ok" and len(marketplace.calls(BROWSE)) == 2

    marketplace.on("GET", BROWSE, Reply(503, {"errors": []}))
    async with httpx.AsyncClient() as client:
        failed = await adapter(marketplace, client).fetch(request())
    assert failed.status == "failed" and "503" in (failed.error or "")


async def test_insights_scope_only_when_configured_and_falls_back_to_asks(
    marketplace: Marketplace, capture: dict[str, Any]
) -> None:
    marketplace.on("POST", TOKEN, token)
    marketplace.on("GET", INSIGHTS, Reply(403, {"errors": [{"errorId": 1100}]}))
    marketplace.on("GET", BROWSE, Reply(200, capture))
    async with httpx.AsyncClient() as client:
        plain = await adapter(marketplace, client).fetch(request(max_results=100))
        assert INSIGHTS_SCOPE not in marketplace.calls(TOKEN)[0].body.decode().replace(
            "%3A", ":"
        ).replace("%2F", "/")
        assert not marketplace.calls(INSIGHTS)
        with_insights = await adapter(marketplace, client, insights=True).fetch(
            request(max_results=100)
        )
    assert plain.status == with_insights.status == "ok"
    assert len(marketplace.calls(INSIGHTS)) == 1
    assert len(with_insights.listings) == 100 and all(
        x.kind == "ask" for x in with_insights.listings
    )


async def test_insights_sales_are_sold_comps(marketplace: Marketplace) -> None:
    sale = {
        "itemId": "v1|1|0",
        "title": "1921-D Morgan Dollar MS63 PCGS",
        "lastSoldPrice": {"value": "171.00", "currency": "USD"},
        "lastSoldDate": "2026-10-01T10:00:00.000Z",
        "totalSoldQuantity": 1,
        "buyingOptions": ["AUCTION"],
        "bidCount": 9,
    }
    marketplace.on("POST", TOKEN, token)
    marketplace.on("GET", INSIGHTS, Reply(200, {"total": 1, "itemSales": [sale]}))
    req = request(sold_only=True).model_copy(
        update={"category": "coin", "attribution": CoinAttribution(year=1921, mintmark="D")}
    )
    async with httpx.AsyncClient() as client:
        result = await adapter(marketplace, client, insights=True).fetch(req)
    (listing,) = result.listings
    assert listing.kind == "sold" and listing.price == Decimal("171.00")
    assert listing.sale_format == "auction" and listing.bids == 9
    assert listing.observed_at and listing.observed_at.year == 2026


async def test_prices_eBay_converted_are_taken_in_usd(
    marketplace: Marketplace, shared_data: Path
) -> None:
    """The sort=price capture: CAD listings with eBay's USD conversion, mostly accessories."""
    path = (
        shared_data / "ebay" / "browse_item_summary_search_iphone_sort_price_100items_2023-07.json"
    )
    capture = json.loads(path.read_text())
    marketplace.on("POST", TOKEN, token)
    marketplace.on("GET", BROWSE, Reply(200, capture))
    async with httpx.AsyncClient() as client:
        result = await adapter(marketplace, client).fetch(request(max_results=100))
    by_id = {x.marketplace_id: x for x in result.listings}
    for item in capture["itemSummaries"]:
        if "convertedFromCurrency" in item["price"] and item["itemId"] in by_id:
            assert by_id[item["itemId"]].currency == item["price"]["currency"] == "USD"
            assert by_id[item["itemId"]].price == Decimal(item["price"]["value"])


async def test_asks_are_dated_when_seen_not_when_listed(
    marketplace: Marketplace, capture: dict[str, Any]
) -> None:
    """The capture (July 2023) holds asks listed from 2017 on: each is a price offered when the
    answer came, so none is older than the lookback, however long it has been up."""
    created = [x["itemCreationDate"] for x in capture["itemSummaries"]]
    assert min(created) < "2018"  # up for years when it was captured
    marketplace.on("POST", TOKEN, token)
    marketplace.on("GET", BROWSE, Reply(200, capture))
    req = request(max_results=100, lookback_days=365)
    before = datetime.now(UTC)
    async with httpx.AsyncClient() as client:
        result = await adapter(marketplace, client).fetch(req)
    assert len(result.listings) == 100
    for listing in result.listings:
        assert listing.observed_at == result.exchanges[listing.exchange_index].requested_at
        assert listing.observed_at and before <= listing.observed_at <= datetime.now(UTC)
    points = [
        to_price_point(x, req, raw_artifact_id=None, rates=Rates(), now=datetime.now(UTC))
        for x in result.listings
    ]
    assert not [p.title for p in points if "lookback" in (p.filtered_reason or "")]

"""eBay: Browse API asks, and Marketplace Insights sales where the app is approved for them.

OAuth2 client credentials; the token is cached until shortly before it expires
and fetched again once on a 401. The insights scope is asked for only when it
is configured, since an app without that approval cannot get a token with it;
Insights answering 403/404 falls back to Browse asks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from fairmarket.collector.adapters.base import Caller, FetchResult, RawExchange
from fairmarket.collector.adapters.errors import MarketplaceError, json_answer
from fairmarket.collector.adapters.oauth import ClientCredentials
from fairmarket.collector.domain.listing import Listing
from fairmarket.collector.domain.query import build_query
from fairmarket.common.events import PricingRequestedData

BASE_SCOPE = "https://api.ebay.com/oauth/api_scope"
INSIGHTS_SCOPE = "https://api.ebay.com/oauth/api_scope/buy.marketplace.insights"
BROWSE = "/buy/browse/v1/item_summary/search"
INSIGHTS = "/buy/marketplace_insights/v1_beta/item_sales/search"
PAGE = 200


@dataclass(frozen=True)
class EbayConfig:
    base_url: str
    client_id: str
    client_secret: str
    insights: bool = False
    marketplace: str = "EBAY_US"


def _money(block: dict[str, Any] | None) -> tuple[Decimal, str] | None:
    if not block or "value" not in block:
        return None
    try:
        return Decimal(str(block["value"])), str(block.get("currency", "USD"))
    except InvalidOperation:
        return None


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def _format(options: list[str]) -> tuple[str, bool]:
    if "AUCTION" in options:
        return "auction", True
    if "BEST_OFFER" in options:
        return "best_offer", False
    return ("fixed_price" if "FIXED_PRICE" in options else "unknown"), False


def categories_of(item: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """eBay's categories as (id, name), the leaf first; the leaf ids alone where no names."""
    named = [
        (str(c.get("categoryId") or ""), str(c.get("categoryName") or ""))
        for c in item.get("categories") or []
        if isinstance(c, dict)
    ]
    if named:
        return tuple(named)
    return tuple((str(i), "") for i in item.get("leafCategoryIds") or [])


def aspects_of(item: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Item specifics ("Model": "Apple iPhone 12"), where the answer carries them."""
    return tuple(
        (str(a["name"]), str(a["value"]))
        for a in item.get("localizedAspects") or []
        if isinstance(a, dict) and a.get("name") and a.get("value") is not None
    )


def parse_item(
    item: dict[str, Any], *, sold: bool, index: int, seen_at: datetime | None = None
) -> Listing | None:
    """One sale, dated when it sold, or one ask, dated `seen_at` (when the answer that lists
    it arrived): an ask is a price offered now however long ago it was listed, so a listing
    up for over a year (an old itemCreationDate) is still a current ask."""
    money = _money(item.get("lastSoldPrice") if sold else item.get("price"))
    if money is None or not item.get("itemId") or not item.get("title"):
        return None
    shipping = None
    ship_currency = None
    options = item.get("shippingOptions") or []
    if options and (cost := _money(options[0].get("shippingCost"))):
        shipping, ship_currency = cost
    sale_format, auction = _format(item.get("buyingOptions") or [])
    quantity = int(item.get("totalSoldQuantity") or 1) if sold else 1
    return Listing(
        marketplace_id=str(item["itemId"]),
        title=str(item["title"]),
        price=money[0],
        currency=money[1],
        kind="sold" if sold else "ask",
        shipping=shipping,
        shipping_currency=ship_currency,
        sale_format=sale_format,  # type: ignore[arg-type]
        bids=int(item["bidCount"]) if auction and "bidCount" in item else None,
        quantity=max(quantity, 1),
        observed_at=_when(item.get("lastSoldDate")) if sold else seen_at,
        url=item.get("itemWebUrl"),
        condition=item.get("condition"),
        exchange_index=index,
        categories=categories_of(item),
        condition_id=str(item["conditionId"]) if item.get("conditionId") else None,
        aspects=aspects_of(item),
    )


def listings_from(exchange: RawExchange, index: int) -> list[Listing]:
    """Listings out of one response of the Browse or Insights search."""
    sold = INSIGHTS in exchange.url
    if exchange.status != 200 or not (sold or BROWSE in exchange.url):
        return []
    try:
        body = json.loads(exchange.body)
    except ValueError:
        return []
    items = (
        body.get("itemSales" if sold else "itemSummaries") or [] if isinstance(body, dict) else []
    )
    return [
        listing
        for item in items
        if isinstance(item, dict)
        and (listing := parse_item(item, sold=sold, index=index, seen_at=exchange.requested_at))
    ]


class EbayAdapter:
    name = "ebay"
    rate_limit_per_minute: float | None = None  # eBay's limits are per day, per app

    def __init__(self, config: EbayConfig) -> None:
        self.config = config
        scope = BASE_SCOPE + (f" {INSIGHTS_SCOPE}" if config.insights else "")
        self.credentials = ClientCredentials(
            "eBay",
            f"{config.base_url}/identity/v1/oauth2/token",
            config.client_id,
            config.client_secret,
            scope=scope,
        )

    async def _search(
        self, http: Caller, result: FetchResult, path: str, query: str, offset: int, limit: int
    ) -> httpx.Response:
        for attempt in range(2):
            token = await self.credentials.token(http, result)
            response = await http.call(
                result,
                "GET",
                f"{self.config.base_url}{path}",
                params={"q": query, "limit": str(limit), "offset": str(offset)},
                headers={
                    "Authorization": f"Bearer {token}",
                    "X-EBAY-C-MARKETPLACE-ID": self.config.marketplace,
                },
            )
            if response.status_code == 401 and attempt == 0:
                self.credentials.invalidate()  # expired or revoked: one fresh token, one more try
                continue
            return response
        return response

    async def _collect(
        self,
        http: Caller,
        result: FetchResult,
        path: str,
        query: str,
        sold: bool,
        max_results: int,
    ) -> bool:
        """Page through one endpoint; False when the endpoint is not available to us."""
        offset = 0
        key = "itemSales" if sold else "itemSummaries"
        while offset < max_results:
            limit = min(PAGE, max_results - offset)
            response = await self._search(http, result, path, query, offset, limit)
            if sold and response.status_code in (403, 404):
                return False
            body = json_answer(response, "eBay", path)
            items = body.get(key) or []
            if not body.get("next") or not items:
                break
            offset += len(items)  # a page may hold fewer than asked for
        return True

    async def fetch(self, request: PricingRequestedData, http: Caller) -> FetchResult:
        result = FetchResult()
        query = build_query(request.category, request.attribution, request.title)
        if not query:
            return FetchResult.failed("unsupported", "nothing to search for in the attribution")
        max_results = request.rules.max_results
        try:
            got_sales = self.config.insights and await self._collect(
                http, result, INSIGHTS, query, True, max_results
            )
            if not got_sales and not request.rules.sold_only:
                await self._collect(http, result, BROWSE, query, False, max_results)
        except MarketplaceError as exc:
            result.fail(exc)
        return result

    def parse(self, exchanges: list[RawExchange], request: PricingRequestedData) -> list[Listing]:
        return [listing for i, x in enumerate(exchanges) for listing in listings_from(x, i)]

"""eBay: Browse API asks, and Marketplace Insights sales where the app is approved for them.

OAuth2 client credentials; the token is cached until shortly before it expires
and fetched again once on a 401. The insights scope is asked for only when it
is configured, since an app without that approval cannot get a token with it;
Insights answering 403/404 falls back to Browse asks.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from fairmarket.collector.adapters.base import FetchResult, Listing, RawExchange
from fairmarket.collector.adapters.http import HttpCaller, MarketplaceError
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


def parse_item(item: dict[str, Any], *, sold: bool, index: int) -> Listing | None:
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
        observed_at=_when(item.get("lastSoldDate") if sold else item.get("itemCreationDate")),
        url=item.get("itemWebUrl"),
        condition=item.get("condition"),
        exchange_index=index,
    )


def listings_from(exchange: RawExchange, index: int) -> list[Listing]:
    """Listings out of one stored response (for replay): the same parsing as a live fetch."""
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
        if isinstance(item, dict) and (listing := parse_item(item, sold=sold, index=index))
    ]


class EbayAdapter:
    name = "ebay"

    def __init__(self, config: EbayConfig, http: HttpCaller) -> None:
        self.config = config
        self.http = http
        self._token: str | None = None
        self._expires = 0.0

    async def _get_token(self, result: FetchResult) -> str:
        if self._token and time.monotonic() < self._expires:
            return self._token
        scope = BASE_SCOPE + (f" {INSIGHTS_SCOPE}" if self.config.insights else "")
        response = await self.http.call(
            result,
            "POST",
            f"{self.config.base_url}/identity/v1/oauth2/token",
            data={"grant_type": "client_credentials", "scope": scope},
            auth=httpx.BasicAuth(self.config.client_id, self.config.client_secret),
        )
        if response.status_code != 200:
            raise MarketplaceError(f"eBay token request answered {response.status_code}")
        body = response.json()
        self._token = str(body["access_token"])
        self._expires = time.monotonic() + max(int(body.get("expires_in", 7200)) - 60, 30)
        return self._token

    async def _search(
        self, result: FetchResult, path: str, query: str, offset: int, limit: int
    ) -> httpx.Response:
        for attempt in range(2):
            token = await self._get_token(result)
            response = await self.http.call(
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
                self._token = None  # expired or revoked: one fresh token, one more try
                continue
            return response
        return response

    async def _collect(
        self, result: FetchResult, path: str, query: str, sold: bool, max_results: int
    ) -> bool:
        """Page through one endpoint; False when the endpoint is not available to us."""
        offset = 0
        key = "itemSales" if sold else "itemSummaries"
        while offset < max_results:
            limit = min(PAGE, max_results - offset)
            response = await self._search(result, path, query, offset, limit)
            if sold and response.status_code in (403, 404):
                return False
            if response.status_code != 200:
                raise MarketplaceError(f"eBay answered {response.status_code} for {path}")
            try:
                body = response.json()
            except ValueError as exc:
                raise MarketplaceError("eBay answered a body that is not JSON") from exc
            if not isinstance(body, dict):
                raise MarketplaceError("eBay answered an unexpected body")
            index = len(result.exchanges) - 1
            items = body.get(key) or []
            for item in items:
                if isinstance(item, dict) and (listing := parse_item(item, sold=sold, index=index)):
                    result.listings.append(listing)
            if not body.get("next") or not items:
                break
            offset += limit
        return True

    async def fetch(self, request: PricingRequestedData) -> FetchResult:
        result = FetchResult()
        query = build_query(request.category, request.attribution, request.title)
        if not query:
            return FetchResult(status="failed", error="nothing to search for in the attribution")
        max_results = request.rules.max_results
        try:
            got_sales = self.config.insights and await self._collect(
                result, INSIGHTS, query, True, max_results
            )
            if not got_sales and not request.rules.sold_only:
                await self._collect(result, BROWSE, query, False, max_results)
        except MarketplaceError as exc:
            result.status = "partial" if result.listings else "failed"
            result.error = str(exc)
        return result

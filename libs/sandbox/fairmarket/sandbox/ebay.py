"""eBay's OAuth, Browse and Marketplace Insights APIs, answered in eBay's own formats."""

from __future__ import annotations

import base64
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Header, Query, Request
from fastapi.responses import JSONResponse

from fairmarket.sandbox.catalog import best_match, grade_in
from fairmarket.sandbox.listings import Listing, listings_for

INSIGHTS_SCOPE = "https://api.ebay.com/oauth/api_scope/buy.marketplace.insights"
BASE_SCOPE = "https://api.ebay.com/oauth/api_scope"

# the search parameters Browse and Marketplace Insights share, with eBay's bounds
SearchQuery = Annotated[str, Query(max_length=350)]
PageLimit = Annotated[int, Query(ge=1, le=200)]
PageOffset = Annotated[int, Query(ge=0, le=9999)]
Authorization = Annotated[str | None, Header()]


def _error(status: int, error_id: int, message: str, domain: str = "API_BROWSE") -> JSONResponse:
    body = {
        "errors": [
            {"errorId": error_id, "domain": domain, "category": "REQUEST", "message": message}
        ]
    }
    return JSONResponse(body, status_code=status)


def _money(value: float, currency: str = "USD") -> dict[str, str]:
    return {"value": f"{value:.2f}", "currency": currency}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _categories(listing: Listing) -> dict[str, Any]:
    if listing.category is None:
        return {}
    leaf, name = listing.category
    return {"leafCategoryIds": [leaf], "categories": [{"categoryId": leaf, "categoryName": name}]}


def _condition(listing: Listing) -> dict[str, str]:
    if listing.condition_id == "7000":
        return {"condition": "For parts or not working", "conditionId": "7000"}
    return {"condition": "Used", "conditionId": listing.condition_id}


def _summary(listing: Listing, base: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "itemId": listing.item_id,
        "title": listing.title,
        "price": _money(listing.price_usd),
        "itemHref": f"{base}/buy/browse/v1/item/{listing.item_id}",
        "seller": {
            "username": listing.seller,
            "feedbackPercentage": "99.8",
            "feedbackScore": listing.feedback,
        },
        **_condition(listing),
        **_categories(listing),
        "shippingOptions": [
            {"shippingCostType": "FIXED", "shippingCost": _money(listing.shipping_usd)}
        ],
        "buyingOptions": [listing.buying_option],
        "itemWebUrl": f"https://www.ebay.com/itm/{listing.item_id.split('|')[1]}",
        "itemLocation": {"country": "US"},
        "adultOnly": False,
        "legacyItemId": listing.item_id.split("|")[1],
        "availableCoupons": False,
        "itemCreationDate": _stamp(listing.listed_at),
        "topRatedBuyingExperience": False,
        "priorityListing": False,
        "listingMarketplaceId": "EBAY_US",
    }
    if listing.currency != "USD":
        item["price"]["convertedFromValue"] = f"{listing.price:.2f}"
        item["price"]["convertedFromCurrency"] = listing.currency
    if listing.buying_option == "AUCTION":
        item["bidCount"] = listing.bids
        item["currentBidPrice"] = _money(listing.price_usd)
        item["itemEndDate"] = _stamp(listing.listed_at + timedelta(days=7))
    return item


def _sale(listing: Listing, base: str) -> dict[str, Any]:
    return {
        "itemId": listing.item_id,
        "title": listing.title,
        "lastSoldPrice": _money(listing.price, listing.currency),
        "lastSoldDate": _stamp(listing.sold_at),
        "totalSoldQuantity": 1,
        "buyingOptions": [listing.buying_option],
        **_condition(listing),
        **_categories(listing),
        "itemHref": f"{base}/buy/browse/v1/item/{listing.item_id}",
        "itemWebUrl": f"https://www.ebay.com/itm/{listing.item_id.split('|')[1]}",
        "seller": {"username": listing.seller, "feedbackScore": listing.feedback},
        "shippingOptions": [
            {"shippingCostType": "FIXED", "shippingCost": _money(listing.shipping_usd)}
        ],
    }


def _page(
    request: Request, rows: list[dict[str, Any]], key: str, limit: int, offset: int
) -> dict[str, Any]:
    url = str(request.url).split("?")[0]
    q = request.query_params.get("q", "")
    page: dict[str, Any] = {
        "href": f"{url}?q={q}&limit={limit}&offset={offset}",
        "total": len(rows),
        "limit": limit,
        "offset": offset,
    }
    if offset + limit < len(rows):
        page["next"] = f"{url}?q={q}&limit={limit}&offset={offset + limit}"
    if offset > 0:
        page["prev"] = f"{url}?q={q}&limit={limit}&offset={max(offset - limit, 0)}"
    chunk = rows[offset : offset + limit]
    if chunk:
        page[key] = chunk
    return page


def router(state: Any) -> APIRouter:
    """`state` carries the seed, the clock, the tokens issued and the fault plan."""
    r = APIRouter()

    @r.post("/identity/v1/oauth2/token")
    async def token(
        grant_type: Annotated[str, Form()],
        authorization: Annotated[str | None, Header()] = None,
        scope: Annotated[str | None, Form()] = None,
    ) -> JSONResponse:
        if grant_type != "client_credentials":
            return JSONResponse(
                {"error": "unsupported_grant_type", "error_description": "grant type unsupported"},
                status_code=400,
            )
        try:
            user, _, password = base64.b64decode((authorization or "")[6:]).decode().partition(":")
        except ValueError:
            user, password = "", ""
        if not authorization or not authorization.startswith("Basic ") or not user or not password:
            return JSONResponse(
                {"error": "invalid_client", "error_description": "client authentication failed"},
                status_code=401,
            )
        issued = "v^1.1#i^1#" + secrets.token_urlsafe(24)
        scopes = set((scope or BASE_SCOPE).split())
        state.tokens[issued] = (time.monotonic() + state.token_ttl, scopes)
        return JSONResponse(
            {
                "access_token": issued,
                "expires_in": state.token_ttl,
                "token_type": "Application Access Token",
            }
        )

    def authorized(authorization: str | None) -> set[str] | None:
        token_value = (authorization or "").removeprefix("Bearer ").strip()
        entry = state.tokens.get(token_value)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def refuse(authorization: str | None, scope: str | None = None) -> JSONResponse | None:
        """A fault the test asked for, else 401 without a live token, 403 without `scope`
        (Browse takes any live token; Marketplace Insights wants its own scope)."""
        if (fault := state.fault()) is not None:
            return fault
        scopes = authorized(authorization)
        if scopes is None:
            return _error(401, 1001, "Invalid access token", "OAuth")
        if scope is not None and scope not in scopes:
            return _error(403, 1100, "Insufficient permissions to fulfill the request.")
        return None

    def search_rows(q: str) -> list[Listing]:
        ref = best_match(q)
        if ref is None:
            return []
        return listings_for(
            ref, grade_in(q, ref), seed=state.seed, now=state.now(), count=state.count
        )

    @r.get("/buy/browse/v1/item_summary/search")
    async def browse(
        request: Request,
        q: SearchQuery = "",
        limit: PageLimit = 50,
        offset: PageOffset = 0,
        authorization: Authorization = None,
    ) -> JSONResponse:
        if (refused := refuse(authorization)) is not None:
            return refused
        base = str(request.base_url).rstrip("/")
        rows = [_summary(x, base) for x in search_rows(q)]
        return JSONResponse(_page(request, rows, "itemSummaries", limit, offset))

    @r.get("/buy/marketplace_insights/v1_beta/item_sales/search")
    async def insights(
        request: Request,
        q: SearchQuery = "",
        limit: PageLimit = 50,
        offset: PageOffset = 0,
        authorization: Authorization = None,
    ) -> JSONResponse:
        if (refused := refuse(authorization, INSIGHTS_SCOPE)) is not None:
            return refused
        horizon = state.now() - timedelta(days=90)
        base = str(request.base_url).rstrip("/")
        rows = [_sale(x, base) for x in search_rows(q) if x.sold_at >= horizon]
        return JSONResponse(_page(request, rows, "itemSales", limit, offset))

    return r

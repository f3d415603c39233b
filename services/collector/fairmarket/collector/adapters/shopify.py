"""Shopify stores: `/products.json`, 250 products a page, every variant a retail ask.

Variant prices are decimal strings; the storefront AJAX shape (`/products/x.js`)
gives integer cents instead, and both are read. Shopify gives no currency, so
the source's configured one is used. Sold-out variants (or a sold-out product)
are not current asks and are skipped. A variant's compare-at price, when above
its price, is kept on the listing and in its condition ("New, compare-at price
399.00 EUR"): the ask is the price actually charged, never the compare-at one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from fairmarket.collector.adapters.base import Caller, FetchResult, RawExchange
from fairmarket.collector.adapters.errors import MarketplaceError, json_answer
from fairmarket.collector.adapters.store import (
    ONLY_PRODUCTS,
    StoreConfig,
    fetch_pages,
    parse_pages,
)
from fairmarket.collector.domain.listing import Listing
from fairmarket.collector.domain.products import is_candidate
from fairmarket.common.events import PricingRequestedData, ProductAttribution

PRODUCTS = "/products.json"
PAGE = 250
NO_LIST = "no product list"


def variant_price(value: Any) -> Decimal | None:
    """'19.99' (products.json) or 1999 (AJAX cents)."""
    try:
        if isinstance(value, int):
            return Decimal(value) / 100
        if isinstance(value, str) and value.strip():
            return Decimal(value.strip())
    except InvalidOperation:
        return None
    return None


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)).astimezone(UTC) if value else None
    except ValueError:
        return None


def product_listings(
    product: Any, a: ProductAttribution, config: StoreConfig, *, index: int
) -> list[Listing]:
    if not isinstance(product, dict) or not product.get("id"):
        return []
    if product.get("available") is False:  # the AJAX shape: every variant sold out
        return []
    out = []
    for v in product.get("variants") or []:
        if not isinstance(v, dict) or v.get("available") is False:
            continue
        variant = str(v.get("title") or "")
        label = "" if variant == "Default Title" else variant
        title = " ".join(filter(None, (product.get("vendor"), product.get("title"), label)))
        price = variant_price(v.get("price"))
        if price is None or price <= 0 or not is_candidate(a, title, product.get("vendor")):
            continue
        compare_at = variant_price(v.get("compare_at_price"))
        if compare_at is not None and compare_at <= price:
            compare_at = None  # stores often set it equal to the price: no markdown
        out.append(
            Listing(
                marketplace_id=f"{product['id']}:{v.get('id')}",
                title=title,
                price=price,
                currency=config.currency,
                kind="ask",
                sale_format="fixed_price",
                observed_at=_when(v.get("updated_at") or product.get("updated_at")),
                url=f"{config.base_url}/products/{product.get('handle')}?variant={v.get('id')}",
                condition=(
                    f"New, compare-at price {compare_at:.2f} {config.currency}"
                    if compare_at
                    else "New"
                ),
                exchange_index=index,
                compare_at_price=compare_at,
            )
        )
    return out


def _product_list(response: httpx.Response) -> list[Any]:
    """`products` of a products.json page; the AJAX shape or anything else is no list."""
    products = json_answer(response, "the store", unexpected=NO_LIST).get("products")
    if not isinstance(products, list):
        raise MarketplaceError("bad_answer", f"the store answered {NO_LIST}")
    return products


class ShopifyAdapter:
    name = "shopify"
    rate_limit_per_minute: float | None = 120  # storefronts throttle bursts; stay gentle

    def __init__(self, config: StoreConfig) -> None:
        self.config = config

    async def fetch(self, request: PricingRequestedData, http: Caller) -> FetchResult:
        if not isinstance(request.attribution, ProductAttribution):
            return FetchResult.failed("unsupported", ONLY_PRODUCTS)
        return await fetch_pages(
            http,
            f"{self.config.base_url}{PRODUCTS}",
            page_size=PAGE,
            max_results=request.rules.max_results,
            params=lambda page: {"limit": str(PAGE), "page": str(page)},
            products=_product_list,
        )

    def parse(self, exchanges: list[RawExchange], request: PricingRequestedData) -> list[Listing]:
        a = request.attribution
        if not isinstance(a, ProductAttribution):
            return []
        return parse_pages(
            exchanges,
            PRODUCTS,
            lambda body: body.get("products") if isinstance(body, dict) else None,
            lambda product, index: product_listings(product, a, self.config, index=index),
        )

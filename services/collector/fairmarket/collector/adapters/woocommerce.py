"""WooCommerce stores: the Store API `/wp-json/wc/store/v1/products`, searched and paged.

Prices are strings in minor units with the store's `currency_minor_unit` (not
always 2); a variable product's price is the low end of its range.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from fairmarket.collector.adapters.base import Caller, FetchResult, RawExchange
from fairmarket.collector.adapters.errors import json_answer
from fairmarket.collector.adapters.store import (
    ONLY_PRODUCTS,
    StoreConfig,
    fetch_pages,
    parse_pages,
)
from fairmarket.collector.domain.listing import Listing
from fairmarket.collector.domain.products import is_candidate
from fairmarket.collector.domain.query import build_query
from fairmarket.common.events import PricingRequestedData, ProductAttribution

PRODUCTS = "/wp-json/wc/store/v1/products"
PAGE = 100


def minor_units(prices: Any) -> tuple[Decimal, str] | None:
    """('1105', minor unit 2, GBP) -> (11.05, 'GBP'); a range's low end when there is one."""
    if not isinstance(prices, dict):
        return None
    raw = prices.get("price")
    if isinstance(prices.get("price_range"), dict):
        raw = prices["price_range"].get("min_amount") or raw
    try:
        unit = int(prices.get("currency_minor_unit", 2))
        amount = Decimal(str(raw)).scaleb(-unit)
    except (InvalidOperation, TypeError, ValueError):
        return None
    currency = prices.get("currency_code")
    if not currency or amount <= 0:
        return None
    return amount, str(currency)


def brands(product: dict[str, Any]) -> str | None:
    """The product's brands (`brands`, WooCommerce 9.6+), None when the store gives none."""
    found = product.get("brands")
    names = [str(b["name"]) for b in found or [] if isinstance(b, dict) and b.get("name")]
    return ", ".join(names) or None


def product_listings(product: Any, a: ProductAttribution, *, index: int) -> list[Listing]:
    if not isinstance(product, dict) or not product.get("id"):
        return []
    if product.get("is_in_stock") is False or product.get("is_purchasable") is False:
        return []
    title = " ".join(filter(None, (str(product.get("name") or ""), product.get("variation"))))
    money = minor_units(product.get("prices"))
    if money is None or not is_candidate(a, title, brands(product)):
        return []
    return [
        Listing(
            marketplace_id=str(product["id"]),
            title=title,
            price=money[0],
            currency=money[1],
            kind="ask",
            sale_format="fixed_price",
            url=product.get("permalink"),
            condition="New",
            exchange_index=index,
        )
    ]


def _product_list(response: httpx.Response) -> list[Any]:
    """The Store API answers a page as a bare JSON list of products."""
    products: list[Any] = json_answer(
        response, "the store", shape=list, unexpected="no product list"
    )
    return products


def _beyond_total_pages(response: httpx.Response, page: int) -> bool:
    """The store says how many pages there are (X-WP-TotalPages): none after the last."""
    total = response.headers.get("X-WP-TotalPages")
    return bool(total and total.isdigit() and page >= int(total))


class WooCommerceAdapter:
    name = "woocommerce"
    rate_limit_per_minute: float | None = 120

    def __init__(self, config: StoreConfig) -> None:
        self.config = config

    async def fetch(self, request: PricingRequestedData, http: Caller) -> FetchResult:
        a = request.attribution
        if not isinstance(a, ProductAttribution):
            return FetchResult.failed("unsupported", ONLY_PRODUCTS)
        query = " ".join(filter(None, (a.name,))) or build_query("product", a)
        if not query:
            return FetchResult.failed("unsupported", "nothing to search for in the attribution")
        return await fetch_pages(
            http,
            f"{self.config.base_url}{PRODUCTS}",
            page_size=PAGE,
            max_results=request.rules.max_results,
            params=lambda page: {"search": query, "per_page": str(PAGE), "page": str(page)},
            products=_product_list,
            last_page=_beyond_total_pages,
        )

    def parse(self, exchanges: list[RawExchange], request: PricingRequestedData) -> list[Listing]:
        a = request.attribution
        if not isinstance(a, ProductAttribution):
            return []
        return parse_pages(
            exchanges,
            PRODUCTS,
            lambda body: body,
            lambda product, index: product_listings(product, a, index=index),
        )

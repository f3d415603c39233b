"""What the two store adapters (Shopify, WooCommerce) share: a store's address and currency,
the loop over their paged product lists, and reading those lists back out of the stored
answers, so a replay parses exactly what a live fetch did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from fairmarket.collector.adapters.base import Caller, FetchResult, RawExchange, json_body
from fairmarket.collector.adapters.errors import MarketplaceError
from fairmarket.collector.domain.listing import Listing

ONLY_PRODUCTS = "stores price retail products only"


@dataclass(frozen=True)
class StoreConfig:
    base_url: str
    currency: str = "USD"


async def fetch_pages(
    http: Caller,
    url: str,
    *,
    page_size: int,
    max_results: int,
    params: Callable[[int], dict[str, str]],
    products: Callable[[httpx.Response], list[Any]],
    last_page: Callable[[httpx.Response, int], bool] = lambda response, page: False,
) -> FetchResult:
    """GET pages 1, 2, ... of `url` until `max_results` is covered, a page comes back short
    or `last_page` says so. `products` reads a page's list, raising MarketplaceError for an
    answer that is none; that error ends the fetch as the result's failure (partial when
    earlier pages arrived)."""
    result = FetchResult()
    pages = max(1, -(-max_results // page_size))
    try:
        for page in range(1, pages + 1):
            response = await http.call(result, "GET", url, params=params(page))
            if len(products(response)) < page_size or last_page(response, page):
                break
    except MarketplaceError as exc:
        result.fail(exc)
    return result


def parse_pages(
    exchanges: list[RawExchange],
    path: str,
    products: Callable[[Any], Any],
    listings: Callable[[Any, int], list[Listing]],
) -> list[Listing]:
    """The listings of every product in the stored answers of `path`: `products` finds the
    list in a parsed body (None when there is none), `listings(product, exchange index)`
    turns one product into its asks."""
    out: list[Listing] = []
    for index, x in enumerate(exchanges):
        found = products(json_body(x)) if x.url.endswith(path) else None
        for product in found if isinstance(found, list) else []:
            out += listings(product, index)
    return out

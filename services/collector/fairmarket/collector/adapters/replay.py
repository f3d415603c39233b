"""Parsing stored raw responses again, per adapter, without calling the marketplace."""

from __future__ import annotations

from collections.abc import Callable

from fairmarket.collector.adapters import ebay
from fairmarket.collector.adapters.base import Listing, RawExchange

PARSERS: dict[str, Callable[[RawExchange, int], list[Listing]]] = {
    "ebay": ebay.listings_from,
}


def listings_from_exchanges(adapter: str, exchanges: list[RawExchange]) -> list[Listing]:
    parse = PARSERS.get(adapter)
    if parse is None:
        raise ValueError(f"no replay parser for adapter {adapter!r}")
    return [listing for i, x in enumerate(exchanges) for listing in parse(x, i)]

"""A marketplace's listing as every adapter reads it: what the domain normalizes into a
price point. It lives in the domain, and the adapters produce it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

Kind = Literal["sold", "ask", "auction", "guide"]
SaleFormat = Literal["auction", "fixed_price", "best_offer", "unknown"]


@dataclass(frozen=True)
class Listing:
    marketplace_id: str
    title: str
    price: Decimal
    currency: str
    kind: Kind
    shipping: Decimal | None = None
    shipping_currency: str | None = None
    sale_format: SaleFormat = "unknown"
    bids: int | None = None
    quantity: int = 1
    observed_at: datetime | None = None
    url: str | None = None
    condition: str | None = None
    grade: str | None = None
    exchange_index: int = 0
    compare_at_price: Decimal | None = None
    """A store's regular price, when the ask is a markdown from it (Shopify's compare-at)."""
    categories: tuple[tuple[str, str], ...] = ()
    """The marketplace's categories of the listing as (id, name), the leaf first (eBay's)."""
    condition_id: str | None = None
    """The marketplace's condition code (eBay's conditionId: 7000 is for parts or not working)."""
    aspects: tuple[tuple[str, str], ...] = ()
    """Item specifics as (name, value) where the marketplace gives them (eBay's aspects)."""
    format: str | None = None
    """The release's format where the marketplace gives it (Discogs': "Vinyl, LP, Album")."""

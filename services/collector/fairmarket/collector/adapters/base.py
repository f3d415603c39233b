"""What every marketplace adapter returns: raw exchanges for audit, listings to normalize."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal, Protocol

from fairmarket.common.events import PricingRequestedData

Kind = Literal["sold", "ask", "auction", "guide"]
SaleFormat = Literal["auction", "fixed_price", "best_offer", "unknown"]
Status = Literal["ok", "partial", "failed"]


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


@dataclass(frozen=True)
class RawExchange:
    """One HTTP call as made (no secrets in url or params) and answered."""

    method: str
    url: str
    params: dict[str, str]
    status: int
    body: bytes
    content_type: str | None
    elapsed_ms: float
    requested_at: datetime


@dataclass
class FetchResult:
    exchanges: list[RawExchange] = field(default_factory=list)
    listings: list[Listing] = field(default_factory=list)
    status: Status = "ok"
    error: str | None = None


class Adapter(Protocol):
    name: str

    async def fetch(self, request: PricingRequestedData) -> FetchResult: ...

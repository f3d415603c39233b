"""What every marketplace adapter returns: raw exchanges for audit, listings to normalize."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

import httpx

from fairmarket.collector.adapters.errors import ErrorKind, MarketplaceError
from fairmarket.collector.domain.exchange_log import RawExchange
from fairmarket.collector.domain.listing import Listing
from fairmarket.common.events import PricingRequestedData

Status = Literal["ok", "partial", "failed"]


def json_body(exchange: RawExchange) -> Any:
    """The parsed body of a 200 answer; None for any other status or a body that is not JSON."""
    if exchange.status != 200:
        return None
    try:
        return json.loads(exchange.body)
    except ValueError:
        return None


@dataclass
class FetchResult:
    exchanges: list[RawExchange] = field(default_factory=list)
    listings: list[Listing] = field(default_factory=list)
    status: Status = "ok"
    error: str | None = None
    error_kind: ErrorKind | None = None

    @classmethod
    def failed(cls, kind: ErrorKind, reason: str) -> FetchResult:
        """A collection that failed before (or instead of) calling the marketplace."""
        return cls(status="failed", error=reason, error_kind=kind)

    def fail(self, error: MarketplaceError) -> None:
        """Partial when some data did arrive before the failure, failed otherwise."""
        got_data = any(x.status == 200 and x.method == "GET" for x in self.exchanges)
        self.status = "partial" if got_data else "failed"
        self.error = str(error)
        self.error_kind = error.kind


class Caller(Protocol):
    """HTTP with the source's manners (rate limit, host bound, retries, audit): see http.py."""

    async def call(
        self, result: FetchResult, method: str, url: str, **kwargs: Any
    ) -> httpx.Response: ...


class Adapter(Protocol):
    name: str
    rate_limit_per_minute: float | None
    """The marketplace's own published limit; a source's configured limit never exceeds it."""

    async def fetch(self, request: PricingRequestedData, http: Caller) -> FetchResult:
        """Call the marketplace; the result holds the raw exchanges, status and error."""
        ...

    def parse(self, exchanges: list[RawExchange], request: PricingRequestedData) -> list[Listing]:
        """Listings out of the exchanges of one request: the same code for a live fetch and a
        replay of stored responses, so that a replay reproduces the same price points."""
        ...


async def collect_listings(
    adapter: Adapter, request: PricingRequestedData, http: Caller
) -> FetchResult:
    """Fetch, then parse what was fetched: the one path from a marketplace to listings."""
    result = await adapter.fetch(request, http)
    result.listings = parse_listings(adapter, result.exchanges, request)
    if result.status == "partial" and not result.listings:
        result.status = "failed"  # what did arrive held nothing usable
    return result


def parse_listings(
    adapter: Adapter, exchanges: list[RawExchange], request: PricingRequestedData
) -> list[Listing]:
    """The adapter's parse; a listing without a date is dated when its response arrived,
    so that a replay dates it the same way."""
    return [
        x if x.observed_at else replace(x, observed_at=exchanges[x.exchange_index].requested_at)
        for x in adapter.parse(exchanges, request)
    ]

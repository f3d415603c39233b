"""An adapter bound to an HTTP caller, fetched and parsed the way the collector does it."""

from __future__ import annotations

import httpx

from fairmarket.collector.adapters.base import Adapter, FetchResult, collect_listings
from fairmarket.collector.adapters.http import HttpCaller
from fairmarket.common.events import PricingRequestedData


class Bound:
    def __init__(self, adapter: Adapter, http: HttpCaller) -> None:
        self.adapter = adapter
        self.http = http

    async def fetch(self, request: PricingRequestedData) -> FetchResult:
        return await collect_listings(
            self.adapter, request, self.http.for_source(request.source.name)
        )


def quick_caller(client: httpx.AsyncClient) -> HttpCaller:
    """Retries as in production (three attempts) with backoffs short enough for a test."""
    return HttpCaller(client, attempts=3, backoff=0.01, max_backoff=0.05)

"""Polite HTTP for adapters: bounded retries with backoff and jitter, Retry-After honoured,
every exchange recorded for audit (without credentials)."""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from fairmarket.collector.adapters.base import FetchResult, RawExchange

RETRY_STATUSES = {429, 500, 502, 503, 504}
_SECRET_PARAMS = {"token", "key", "secret", "client_secret", "access_token"}


class MarketplaceError(Exception):
    """The marketplace could not give an answer we can use; the reason is safe to show."""


class HttpCaller:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        attempts: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 10.0,
        concurrency: int = 4,
    ) -> None:
        self.client = client
        self.attempts = attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.slots = asyncio.Semaphore(concurrency)

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None and (after := response.headers.get("Retry-After")):
            try:
                return min(float(after), self.max_backoff)
            except ValueError:
                pass
        base = min(self.backoff * 2**attempt, self.max_backoff)
        return base * (0.5 + random.random() / 2)

    async def call(
        self, result: FetchResult, method: str, url: str, **kwargs: Any
    ) -> httpx.Response:
        params = {k: str(v) for k, v in (kwargs.get("params") or {}).items()}
        shown = {k: ("***" if k.lower() in _SECRET_PARAMS else v) for k, v in params.items()}
        last_error: Exception | None = None
        for attempt in range(self.attempts):
            started = time.perf_counter()
            requested_at = datetime.now(UTC)
            response: httpx.Response | None = None
            try:
                async with self.slots:
                    response = await self.client.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                last_error = exc
            if response is not None:
                result.exchanges.append(
                    RawExchange(
                        method=method,
                        url=url,
                        params=shown,
                        status=response.status_code,
                        body=response.content,
                        content_type=response.headers.get("content-type"),
                        elapsed_ms=(time.perf_counter() - started) * 1000,
                        requested_at=requested_at,
                    )
                )
                if response.status_code not in RETRY_STATUSES:
                    return response
            if attempt + 1 < self.attempts:
                await asyncio.sleep(self._delay(attempt, response))
        if response is not None:
            return response
        raise MarketplaceError(f"{method} {url} failed: {type(last_error).__name__}")

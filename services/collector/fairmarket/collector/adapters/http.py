"""Polite HTTP for adapters: a source's rate limit, a bound per host, bounded retries with
backoff and jitter, Retry-After honoured, every exchange recorded for audit (without credentials).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from fairmarket.collector.adapters.base import FetchResult, RawExchange
from fairmarket.collector.adapters.politeness import HostSlots, PacedDeadline, TokenBucket
from fairmarket.collector.metrics import (
    SOURCE_LATENCY,
    SOURCE_REQUESTS,
    SOURCE_THROTTLED,
    outcome_of,
)

RETRY_STATUSES = {429, 500, 502, 503, 504}
_SECRET_PARAMS = {"token", "key", "secret", "client_secret", "access_token", "api_key"}


class MarketplaceError(Exception):
    """The marketplace could not give an answer we can use; the reason is safe to show."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    backoff: float = 0.5
    max_backoff: float = 10.0

    def delay(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None and (after := response.headers.get("Retry-After")):
            try:
                return min(max(float(after), 0.0), self.max_backoff)
            except ValueError:
                pass
        base = min(self.backoff * 2**attempt, self.max_backoff)
        return base * (0.5 + random.random() / 2)


class HttpCaller:
    """The collector's one HTTP client; `for_source` gives each fetch its source's manners."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        attempts: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 10.0,
        per_host: int = 4,
    ) -> None:
        self.client = client
        self.retry = RetryPolicy(attempts, backoff, max_backoff)
        self.hosts = HostSlots(per_host)

    def for_source(
        self,
        source: str,
        bucket: TokenBucket | None = None,
        deadline: PacedDeadline | None = None,
    ) -> SourceHttp:
        """`deadline`, when given, stands still while a call waits on `bucket`."""
        return SourceHttp(self, source, bucket, deadline)

    async def call(
        self, result: FetchResult, method: str, url: str, **kwargs: Any
    ) -> httpx.Response:
        """A call without a source's rate limit (tests and one-off tools)."""
        return await self.for_source("unnamed").call(result, method, url, **kwargs)


class SourceHttp:
    def __init__(
        self,
        caller: HttpCaller,
        source: str,
        bucket: TokenBucket | None,
        deadline: PacedDeadline | None = None,
    ) -> None:
        self.caller = caller
        self.source = source
        self.bucket = bucket
        self.deadline = deadline

    async def _pace(self, bucket: TokenBucket) -> None:
        """Our own rate limit: its wait (the queue for the bucket included) is not the
        marketplace's time, so it does not count toward the collection's deadline."""
        with self.deadline.paused() if self.deadline else contextlib.nullcontext():
            waited = await bucket.take()
        if waited > 0:
            SOURCE_THROTTLED.labels(self.source).inc()

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async with self.caller.hosts(httpx.URL(url).netloc.decode()):
            return await self.caller.client.request(method, url, **kwargs)

    async def call(
        self,
        result: FetchResult,
        method: str,
        url: str,
        *,
        redact: Callable[[bytes], bytes] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """The call with the source's manners; `redact` is what of an answer's body may be kept
        (a token answer's tokens are not: the exchange log is stored at rest)."""
        params = {k: str(v) for k, v in (kwargs.get("params") or {}).items()}
        shown = {k: ("***" if k.lower() in _SECRET_PARAMS else v) for k, v in params.items()}
        retry = self.caller.retry
        last_error: Exception | None = None
        response: httpx.Response | None = None
        for attempt in range(retry.attempts):
            if self.bucket is not None:
                await self._pace(self.bucket)
            started = time.perf_counter()
            requested_at = datetime.now(UTC)
            response = None
            try:
                response = await self._send(method, url, **kwargs)
            except httpx.TransportError as exc:
                last_error = exc
                SOURCE_REQUESTS.labels(self.source, "transport_error").inc()
            elapsed = time.perf_counter() - started
            SOURCE_LATENCY.labels(self.source).observe(elapsed)
            if response is not None:
                SOURCE_REQUESTS.labels(self.source, outcome_of(response.status_code)).inc()
                if response.status_code == 429:
                    SOURCE_THROTTLED.labels(self.source).inc()
                result.exchanges.append(
                    RawExchange(
                        method=method,
                        url=url,
                        params=shown,
                        status=response.status_code,
                        body=redact(response.content) if redact else response.content,
                        content_type=response.headers.get("content-type"),
                        elapsed_ms=elapsed * 1000,
                        requested_at=requested_at,
                    )
                )
                if response.status_code not in RETRY_STATUSES:
                    return response
            if attempt + 1 < retry.attempts:
                await asyncio.sleep(retry.delay(attempt, response))
        if response is not None:
            return response
        raise MarketplaceError(f"{method} {url} failed: {type(last_error).__name__}")

"""Polite HTTP for adapters: a source's rate limit, a bound per host, bounded retries with
backoff and jitter, Retry-After honoured, every exchange recorded for audit (without credentials).

The retrying is tenacity's; what is ours is what to retry (a transport failure, 429 and 5xx),
how long to wait (the marketplace's Retry-After, else exponential backoff with jitter) and
what each attempt records.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    wait_exponential_jitter,
)

from fairmarket.collector.adapters.base import FetchResult, RawExchange
from fairmarket.collector.adapters.errors import MarketplaceError
from fairmarket.collector.adapters.politeness import HostSlots, PacedDeadline, TokenBucket
from fairmarket.collector.metrics import (
    SOURCE_LATENCY,
    SOURCE_REQUESTS,
    SOURCE_THROTTLED,
    outcome_of,
)

__all__ = ["HttpCaller", "MarketplaceError", "RetryPolicy", "SourceHttp", "retry_after"]

RETRY_STATUSES = {429, 500, 502, 503, 504}
_SECRET_PARAMS = {"token", "key", "secret", "client_secret", "access_token", "api_key"}

Sleep = Callable[[float], Awaitable[None]]


def retry_after(response: httpx.Response, now: datetime | None = None) -> float | None:
    """The answer's Retry-After in seconds (delta-seconds or an HTTP date), None without one."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    backoff: float = 0.5
    max_backoff: float = 10.0

    def wait(self, state: RetryCallState) -> float:
        """Seconds before the next attempt: what the marketplace asked for in Retry-After (up to
        `max_backoff`), else `backoff` doubled per attempt plus up to `backoff` of jitter."""
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            after = retry_after(outcome.result())
            if after is not None:
                return min(after, self.max_backoff)
        backoff = wait_exponential_jitter(
            initial=self.backoff, max=self.max_backoff, jitter=self.backoff
        )
        return backoff(state)


def _retryable(response: httpx.Response) -> bool:
    return response.status_code in RETRY_STATUSES


class HttpCaller:
    """The collector's one HTTP client; `for_source` gives each fetch its source's manners.

    `sleep` is the wait between attempts (tests pass one that records instead of waiting)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        attempts: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 10.0,
        per_host: int = 4,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.client = client
        self.retry = RetryPolicy(attempts, backoff, max_backoff)
        self.hosts = HostSlots(per_host)
        self.sleep = sleep

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

    async def _attempt(
        self,
        result: FetchResult,
        method: str,
        url: str,
        shown: dict[str, str],
        redact: Callable[[bytes], bytes] | None,
        kwargs: dict[str, Any],
    ) -> httpx.Response:
        """One paced request, measured and recorded; a transport failure is raised."""
        if self.bucket is not None:
            await self._pace(self.bucket)
        started = time.perf_counter()
        requested_at = datetime.now(UTC)
        try:
            response = await self._send(method, url, **kwargs)
        except httpx.TransportError:
            SOURCE_REQUESTS.labels(self.source, "transport_error").inc()
            raise
        finally:
            SOURCE_LATENCY.labels(self.source).observe(time.perf_counter() - started)
        elapsed = time.perf_counter() - started
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
        return response

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
        (a token answer's tokens are not: the exchange log is stored at rest).

        Returns the last answer when retries run out on 429/5xx (the adapter names the status);
        raises MarketplaceError("transport") when no attempt got an answer at all."""
        params = {k: str(v) for k, v in (kwargs.get("params") or {}).items()}
        shown = {k: ("***" if k.lower() in _SECRET_PARAMS else v) for k, v in params.items()}

        def out_of_attempts(state: RetryCallState) -> httpx.Response:
            assert state.outcome is not None
            if state.outcome.failed:
                error = state.outcome.exception()
                raise MarketplaceError(
                    "transport", f"{method} {url} failed: {type(error).__name__}"
                ) from error
            return state.outcome.result()

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.caller.retry.attempts),
            wait=self.caller.retry.wait,
            retry=retry_if_exception_type(httpx.TransportError) | retry_if_result(_retryable),
            sleep=self.caller.sleep,
            retry_error_callback=out_of_attempts,
        )
        return await retrying(self._attempt, result, method, url, shown, redact, kwargs)

"""Being a good API citizen: a token bucket per source, a bound per host, a breaker per source.

The clocks are injectable so that the state machines are tested without sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

Clock = Callable[[], float]
BreakerState = Literal["closed", "open", "half_open"]


@dataclass
class TokenBucket:
    """`rate_per_minute` requests a minute on average, up to `burst` back to back.

    Not aiolimiter's AsyncLimiter: the collector retunes a live bucket when an admin changes
    a source's limit, needs the time a caller waited (the deadline stands still for it, and
    the throttled metric counts it) and tests it on a fake clock; AsyncLimiter offers none of
    the three, so it would be wrapped in about as much code as this."""

    rate_per_minute: float
    burst: float = 1.0
    clock: Clock = time.monotonic
    tokens: float = field(init=False)
    stamp: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = self.burst
        self.stamp = self.clock()
        self._lock = asyncio.Lock()

    def retune(self, rate_per_minute: float) -> None:
        self._refill()
        self.rate_per_minute = rate_per_minute

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate_per_minute / 60)
        self.stamp = now

    def wait_time(self) -> float:
        """Seconds until a token is free (0 when one is), without taking it."""
        self._refill()
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) * 60 / self.rate_per_minute

    def try_take(self) -> bool:
        if self.wait_time() > 0:
            return False
        self.tokens -= 1
        return True

    async def take(self) -> float:
        """Wait for a token, in arrival order; returns how long the caller waited."""
        waited = 0.0
        async with self._lock:
            while not self.try_take():
                delay = self.wait_time()
                waited += delay
                await asyncio.sleep(delay)
        return waited


class PacedDeadline:
    """A collection's deadline that stands still while the collection waits on its own source's
    token bucket: the deadline bounds the marketplace's slowness, not our own pacing (a batch
    of requests to a 60/min source queues for minutes without the marketplace being slow)."""

    def __init__(self, timeout: asyncio.Timeout) -> None:
        self.timeout = timeout

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        when = self.timeout.when()
        if when is None or self.timeout.expired():  # already paused, or already due
            yield
            return
        loop = asyncio.get_running_loop()
        started = loop.time()
        self.timeout.reschedule(None)
        try:
            yield
        finally:
            if not self.timeout.expired():
                self.timeout.reschedule(loop.time() + max(when - started, 0.0))


@dataclass
class CircuitBreaker:
    """Opens after `threshold` failed fetches in a row; one trial fetch after `cooldown` seconds.

    While open, a source is not called at all: a marketplace that is down gets no
    traffic from us, and its requests fail at once instead of waiting out retries.
    """

    threshold: int = 5
    cooldown: float = 60.0
    clock: Clock = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    trial_running: bool = False

    @property
    def state(self) -> BreakerState:
        if self.opened_at is None:
            return "closed"
        if self.clock() - self.opened_at >= self.cooldown:
            return "half_open"
        return "open"

    def retry_in(self) -> float:
        if self.opened_at is None:
            return 0.0
        return max(0.0, self.cooldown - (self.clock() - self.opened_at))

    def allow(self) -> bool:
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and not self.trial_running:
            self.trial_running = True
            return True
        return False

    def record(self, ok: bool) -> None:
        self.trial_running = False
        if ok:
            self.failures = 0
            self.opened_at = None
            return
        self.failures += 1
        if self.failures >= self.threshold or self.opened_at is not None:
            self.opened_at = self.clock()


class HostSlots:
    """At most `per_host` requests in flight to one host, whichever sources share it."""

    def __init__(self, per_host: int) -> None:
        self.per_host = per_host
        self._slots: dict[str, asyncio.Semaphore] = {}

    def __call__(self, host: str) -> asyncio.Semaphore:
        slot = self._slots.get(host)
        if slot is None:
            slot = self._slots[host] = asyncio.Semaphore(self.per_host)
        return slot

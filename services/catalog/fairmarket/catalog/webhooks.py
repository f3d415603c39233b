"""Delivering fired watches: signed POSTs with retries, backoff and a delivery log.

Due deliveries are claimed with FOR UPDATE SKIP LOCKED, so several catalog
replicas share the work without sending one twice. Each attempt is recorded;
after `max_attempts` a delivery is dead, and `disable_after` dead deliveries in
a row disable the watch (an admin enables it again); a disabled watch's pending
deliveries are not sent meanwhile. The URL is checked
against private addresses again at delivery time, since DNS can change.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from fairmarket.catalog.db import deliveries, watches
from fairmarket.catalog.metrics import WEBHOOK_DELIVERIES
from fairmarket.catalog.netguard import UnsafeUrl, check_url, pin
from fairmarket.catalog.settings import CatalogSettings
from fairmarket.catalog.signing import HEADER, sign
from fairmarket.common.tracing import calling_out

log = logging.getLogger(__name__)


class WebhookSender:
    def __init__(
        self, engine: AsyncEngine, settings: CatalogSettings, client: httpx.AsyncClient
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.client = client
        self.wake = asyncio.Event()

    def backoff(self, attempts: int) -> timedelta:
        base = self.settings.webhook_backoff_seconds * 2 ** (attempts - 1)
        return timedelta(seconds=min(base, 3600) * (0.75 + random.random() / 2))

    async def _attempt(self, row: Any, watch: Any) -> tuple[int | None, str | None]:
        body = json.dumps(row.payload, separators=(",", ":"), sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "fairmarket-webhooks/0.1",
            HEADER: sign(watch.secret, body),
            "Fairmarket-Delivery": str(row.id),
            "Fairmarket-Event": "watch.fired",
        }
        try:
            address = await check_url(watch.url, self.settings.webhook_allowed_hosts)
            url, host, extensions = pin(watch.url, address)  # no second DNS answer
            with calling_out("webhook deliver", row.traceparent, watch.url) as trace_headers:
                response = await self.client.post(
                    url,
                    content=body,
                    headers={**headers, **trace_headers, **host},
                    extensions=extensions,
                )
        except UnsafeUrl as exc:
            return None, str(exc)
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"[:500]
        except Exception as exc:  # httpx.InvalidURL is no HTTPError: one delivery's failure
            log.warning("webhook delivery %s failed: %r", row.id, exc)  # is that delivery's
            return None, f"{type(exc).__name__}: {exc}"[:500]
        if 200 <= response.status_code < 300:
            return response.status_code, None
        return response.status_code, f"the receiver answered {response.status_code}"

    async def _record(
        self, conn: AsyncConnection, row: Any, watch: Any, status: int | None, error: str | None
    ) -> str:
        attempts = row.attempts + 1
        if error is None:
            outcome, values = "delivered", {"status": "delivered", "delivered_at": func.now()}
            await conn.execute(
                update(watches).where(watches.c.id == watch.id).values(consecutive_failures=0)
            )
        elif attempts >= self.settings.webhook_max_attempts:
            outcome, values = "dead", {"status": "dead"}
            # counted in SQL: the row read at the round's start is stale once another of
            # the watch's deliveries died in this round (or on another replica)
            failures = await conn.scalar(
                update(watches)
                .where(watches.c.id == watch.id)
                .values(consecutive_failures=watches.c.consecutive_failures + 1)
                .returning(watches.c.consecutive_failures)
            )
            if failures is not None and failures >= self.settings.webhook_disable_after:
                await conn.execute(
                    update(watches)
                    .where(watches.c.id == watch.id, watches.c.enabled)
                    .values(
                        enabled=False,
                        disabled_reason=f"{failures} deliveries in a row failed; last: {error}",
                    )
                )
        else:
            outcome = "retry"
            values = {"next_attempt_at": datetime.now(UTC) + self.backoff(attempts)}
        await conn.execute(
            update(deliveries)
            .where(deliveries.c.id == row.id)
            .values(attempts=attempts, last_status_code=status, last_error=error, **values)
        )
        WEBHOOK_DELIVERIES.labels(outcome).inc()
        return outcome

    async def send_due(self, limit: int = 20) -> int:
        """Attempt up to `limit` due deliveries; returns how many were attempted."""
        async with self.engine.begin() as conn:
            rows = (
                await conn.execute(
                    select(deliveries)
                    .select_from(
                        deliveries.outerjoin(watches, watches.c.id == deliveries.c.watch_id)
                    )
                    .where(
                        deliveries.c.status == "pending",
                        deliveries.c.next_attempt_at <= func.now(),
                        # a disabled watch's deliveries wait (sent if it is enabled again);
                        # a deleted watch's are marked dead below
                        or_(watches.c.id.is_(None), watches.c.enabled),
                    )
                    .order_by(deliveries.c.next_attempt_at)
                    .limit(limit)
                    .with_for_update(of=deliveries, skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            found = (
                await conn.execute(
                    select(watches).where(watches.c.id.in_({r.watch_id for r in rows}))
                )
            ).all()
            by_id = {w.id: w for w in found}
            results = await asyncio.gather(
                *(self._attempt(r, by_id[r.watch_id]) for r in rows if r.watch_id in by_id)
            )
            for row, (status, error) in zip(
                [r for r in rows if r.watch_id in by_id], results, strict=True
            ):
                await self._record(conn, row, by_id[row.watch_id], status, error)
            gone = [r.id for r in rows if r.watch_id not in by_id]
            if gone:
                await conn.execute(
                    update(deliveries)
                    .where(deliveries.c.id.in_(gone))
                    .values(status="dead", last_error="the watch was deleted")
                )
        return len(rows)

    async def run_forever(self) -> None:
        while True:
            try:
                if await self.send_due():
                    continue
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("webhook delivery round failed")
            try:
                await asyncio.wait_for(self.wake.wait(), self.settings.webhook_poll_seconds)
            except TimeoutError:
                pass
            self.wake.clear()

"""Catalog's handlers: keep the read model and start pricing runs.

Each handler gets only events the inbox has not seen, inside the batch's
transaction; writes are upserts guarded by revision or version, so events of
one item from different topics may arrive in any order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.catalog.db import comps, items, pricing_requests, pricing_runs, valuations
from fairmarket.catalog.metrics import (
    ATTRIBUTION_TO_VALUATION,
    PRICING_REQUESTS_COMPLETED,
    VALUATIONS,
)
from fairmarket.catalog.pricing import start_run
from fairmarket.catalog.products import follow_valuation
from fairmarket.catalog.watching import evaluate
from fairmarket.common.events import (
    IntakeAttributed,
    PricePointCollected,
    PricingCompleted,
    ValuationComputed,
)
from fairmarket.common.messaging.outbox import Outbox

MODELS = (IntakeAttributed, PricePointCollected, PricingCompleted, ValuationComputed)


def _upsert_comps() -> Any:
    """One statement for every batch (rows go as parameters, so its compilation is cached);
    a comp seen again keeps an admin's exclusion."""
    stmt = insert(comps)
    keep = ("price_point_id", "excluded", "excluded_reason", "excluded_by")
    return stmt.on_conflict_do_update(
        index_elements=[comps.c.price_point_id],
        set_={c.name: stmt.excluded[c.name] for c in comps.columns if c.name not in keep},
    )


UPSERT_COMPS = _upsert_comps()


class CatalogHandlers:
    def __init__(self, outbox: Outbox, *, approval_threshold_pct: float = 20.0) -> None:
        self.outbox = outbox
        self.approval_threshold_pct = approval_threshold_pct
        self.on_deliveries: Callable[[], None] = lambda: None  # wakes the webhook sender

    async def __call__(self, conn: AsyncConnection, events: list[Any]) -> None:
        collected = [e for e in events if isinstance(e, PricePointCollected)]
        if collected:
            await self.on_collected(conn, collected)
        for event in events:
            if isinstance(event, IntakeAttributed):
                await self.on_attributed(conn, event)
            elif isinstance(event, PricingCompleted):
                await self.on_completed(conn, event)
            elif isinstance(event, ValuationComputed):
                await self.on_valuation(conn, event)

    async def on_attributed(self, conn: AsyncConnection, event: IntakeAttributed) -> None:
        d = event.data
        values = {
            "id": d.item_id,
            "category": d.category,
            "title": d.title,
            "attribution": d.attribution.model_dump(mode="json"),
            "revision": d.revision,
        }
        stmt = insert(items).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[items.c.id],
            set_={
                "title": stmt.excluded.title,
                "attribution": stmt.excluded.attribution,
                "revision": stmt.excluded.revision,
                "updated_at": func.now(),
            },
            where=items.c.revision < stmt.excluded.revision,
        ).returning(items)
        item = (await conn.execute(stmt)).one_or_none()
        if item is None:
            return  # an older or repeated revision: the read model already has newer
        _, requests = await start_run(
            conn,
            item=item,
            reason=d.reason,
            requested_by=f"intake:{d.reason}",
            causation_id=event.event_id,
        )
        await self.outbox.add(conn, requests)

    async def on_collected(self, conn: AsyncConnection, events: list[PricePointCollected]) -> None:
        rows = {}
        for e in events:
            d = e.data
            rows[d.price_point_id] = {
                "price_point_id": d.price_point_id,
                "item_id": d.item_id,
                "revision": d.revision,
                "request_id": d.request_id,
                "source": d.source.name,
                "kind": d.kind,
                "title": d.title,
                "url": d.url,
                "price": d.price,
                "currency": d.currency,
                "shipping": d.shipping,
                "total_usd_cents": d.total_usd_cents,
                "observed_at": d.observed_at,
                "sale_format": d.sale_format,
                "condition": d.condition,
                "grade": d.grade,
                "match_score": d.match_score,
                "filtered": d.filtered,
                "filtered_reason": d.filtered_reason,
            }
        await conn.execute(UPSERT_COMPS, list(rows.values()))

    async def on_completed(self, conn: AsyncConnection, event: PricingCompleted) -> None:
        d = event.data
        PRICING_REQUESTS_COMPLETED.labels(d.status).inc()
        await conn.execute(
            update(pricing_requests)
            .where(pricing_requests.c.id == d.request_id)
            .values(
                status=d.status,
                collected=d.collected,
                filtered=d.filtered,
                error=d.error,
                completed_at=event.occurred_at,
            )
        )

    async def on_valuation(self, conn: AsyncConnection, event: ValuationComputed) -> None:
        d = event.data
        payload = d.model_dump(mode="json")
        await conn.execute(
            insert(valuations)
            .values(
                item_id=d.item_id,
                version=d.version,
                revision=d.revision,
                fmv_usd_cents=d.fmv_usd_cents,
                confidence=d.confidence,
                payload=payload,
                computed_at=event.occurred_at,
            )
            .on_conflict_do_nothing()
        )
        await conn.execute(
            update(items)
            .where(items.c.id == d.item_id)
            .where((items.c.valuation_version.is_(None)) | (items.c.valuation_version < d.version))
            .values(
                valuation=payload,
                valuation_version=d.version,
                fmv_usd_cents=d.fmv_usd_cents,
                confidence=d.confidence,
                valued_at=event.occurred_at,
            )
        )
        if event.correlation_id is not None:
            started = await conn.scalar(
                update(pricing_runs)
                .where(pricing_runs.c.id == event.correlation_id)
                .values(valued_at=event.occurred_at, valuation_version=d.version)
                .returning(pricing_runs.c.created_at)
            )
            if started is not None:
                latency = (event.occurred_at - started).total_seconds()
                ATTRIBUTION_TO_VALUATION.observe(max(latency, 0.0))
        VALUATIONS.inc()
        await follow_valuation(conn, d.item_id, d.fmv_usd_cents, self.approval_threshold_pct)
        if await evaluate(conn, event):
            self.on_deliveries()

"""Starting pricing runs: one `pricing.requested` per (item, enabled source).

A source whose stored rules cannot be read (stored before the API checked them) does not
stop every run: its request is recorded failed with the reason, counted as a bad row, and
completed at once (a `pricing.completed`, status failed, producer `catalog`, as the
watchdog's) so the valuation still values the run from the other sources."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.catalog.db import pricing_requests, pricing_runs, sources
from fairmarket.catalog.metrics import BAD_ROWS_SKIPPED, PRICING_RUNS
from fairmarket.common.events import (
    PricingCompleted,
    PricingCompletedData,
    PricingRequested,
    PricingRequestedData,
    SourceRef,
    SourceRules,
)
from fairmarket.common.grades import attributed_grade

PRODUCER = "catalog"  # the catalog's own completions carry it; its consumer skips them


@dataclass(frozen=True)
class RunAsk:
    """One run to start: the item row, why, by whom, and the sources named (None: all)."""

    item: Any
    reason: str
    requested_by: str
    source_names: list[str] | None = None
    causation_id: uuid.UUID | None = None


def serves(source: Any, category: str, names: list[str] | None) -> bool:
    if names and source.name not in names:
        return False
    return not source.categories or category in source.categories


async def enabled_sources(conn: AsyncConnection) -> list[Any]:
    query = select(sources).where(sources.c.enabled.is_(True)).order_by(sources.c.name)
    return list((await conn.execute(query)).all())


def unreadable_rules(source: Any) -> str | None:
    """Why a source's stored rules cannot go into a request, or None when they can."""
    try:
        SourceRules.model_validate(source.rules or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "rules"
        return f"source rules cannot be read: {where}: {first.get('msg', 'invalid')}"
    return None


def source_ref(source: Any) -> SourceRef:
    return SourceRef(
        id=source.id,
        name=source.name,
        adapter=source.adapter,
        reputation=source.reputation,
        rate_limit_per_minute=source.rate_limit_per_minute,
    )


def failed_completion(
    *,
    run_id: uuid.UUID,
    request_id: uuid.UUID,
    item_id: uuid.UUID,
    revision: int,
    source: SourceRef,
    attribution: dict[str, Any] | None,
    run_size: int,
    why: str,
    causation_id: uuid.UUID | None = None,
) -> PricingCompleted:
    """A request's completion written by the catalog itself, failed with `why` (never sent, or
    given up on): the valuation counts it, so the run completes from what did arrive."""
    return PricingCompleted(
        producer=PRODUCER,
        correlation_id=run_id,
        causation_id=causation_id,
        data=PricingCompletedData(
            request_id=request_id,
            run_id=run_id,
            item_id=item_id,
            revision=revision,
            source=source,
            status="failed",
            collected=0,
            filtered=0,
            error=why,
            item_grade=attributed_grade(attribution),
            run_size=run_size,
        ),
    )


def failed_event(
    ask: RunAsk, run_id: uuid.UUID, request_id: uuid.UUID, source: Any, run_size: int, why: str
) -> PricingCompleted:
    """The request's completion, failed before it was sent."""
    item = ask.item
    return failed_completion(
        run_id=run_id,
        request_id=request_id,
        item_id=item.id,
        revision=item.revision,
        source=source_ref(source),
        attribution=item.attribution,
        run_size=run_size,
        why=why,
        causation_id=ask.causation_id,
    )


def request_event(
    ask: RunAsk, run_id: uuid.UUID, request_id: uuid.UUID, source: Any, run_size: int
) -> PricingRequested:
    item = ask.item
    return PricingRequested(
        producer="catalog",
        correlation_id=run_id,
        causation_id=ask.causation_id,
        data=PricingRequestedData(
            request_id=request_id,
            run_id=run_id,
            item_id=item.id,
            revision=item.revision,
            category=item.category,
            attribution=item.attribution,
            title=item.title,
            source=source_ref(source),
            rules=SourceRules.model_validate(source.rules or {}),
            run_size=run_size,
        ),
    )


async def start_runs(
    conn: AsyncConnection, asks: Sequence[RunAsk]
) -> list[tuple[uuid.UUID, list[PricingRequested | PricingCompleted]]]:
    """Record runs and their per-source requests in three statements whatever their number
    (a consumer batch starts dozens); returns (run id, events for the outbox) per ask."""
    if not asks:
        return []
    enabled = await enabled_sources(conn)
    unreadable = {s.id: why for s in enabled if (why := unreadable_rules(s)) is not None}
    runs, requests, out = [], [], []
    now = datetime.now(UTC)
    for ask in asks:
        run_id = uuid.uuid4()
        item = ask.item
        runs.append(
            {
                "id": run_id,
                "item_id": item.id,
                "revision": item.revision,
                "reason": ask.reason,
                "requested_by": ask.requested_by,
            }
        )
        events: list[PricingRequested | PricingCompleted] = []
        chosen = [s for s in enabled if serves(s, item.category, ask.source_names)]
        for source in chosen:
            request_id = uuid.uuid4()
            why = unreadable.get(source.id)
            requests.append(
                {
                    "id": request_id,
                    "run_id": run_id,
                    "item_id": item.id,
                    "source_id": source.id,
                    "source_name": source.name,
                    "status": "pending" if why is None else "failed",
                    "error": why,
                    "completed_at": None if why is None else now,
                }
            )
            if why is None:
                events.append(request_event(ask, run_id, request_id, source, len(chosen)))
            else:
                BAD_ROWS_SKIPPED.labels("source").inc()
                events.append(failed_event(ask, run_id, request_id, source, len(chosen), why))
        if events:
            PRICING_RUNS.labels(ask.reason).inc()
        out.append((run_id, events))
    await conn.execute(pricing_runs.insert(), runs)  # rows as parameters: one cached statement
    if requests:
        await conn.execute(pricing_requests.insert(), requests)
    return out


async def start_run(
    conn: AsyncConnection,
    *,
    item: Any,
    reason: str,
    requested_by: str,
    source_names: list[str] | None = None,
    causation_id: uuid.UUID | None = None,
) -> tuple[uuid.UUID, list[PricingRequested | PricingCompleted]]:
    """Record a run and its per-source requests; returns the events to put in the outbox."""
    ask = RunAsk(item, reason, requested_by, source_names, causation_id)
    return (await start_runs(conn, [ask]))[0]

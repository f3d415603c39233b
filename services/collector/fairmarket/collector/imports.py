"""Comps from a spreadsheet (auction results, show sales) as price points of a `manual` source."""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.collector.db import jobs, price_points
from fairmarket.collector.domain.grades import grade_of
from fairmarket.collector.domain.money import Rates, UnknownCurrency
from fairmarket.collector.domain.price_points import PricePoints
from fairmarket.common.comps_csv import CompRow
from fairmarket.common.events import Envelope, PricePointCollectedData, SourceRef

_NAMESPACE = uuid.UUID("8c0f3d52-6a4b-4c1e-9f2a-1b3c5d7e9f00")


class ImportRefused(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors[:5]))
        self.errors = errors


def manual_source(name: str) -> SourceRef:
    return SourceRef(id=uuid.uuid5(_NAMESPACE, f"source|{name}"), name=name, adapter="manual")


def row_id(row: CompRow) -> uuid.UUID:
    """The same row imported twice is the same comp."""
    key = "|".join(
        str(v)
        for v in (
            row.item_id,
            row.source,
            row.title,
            row.price,
            row.currency,
            row.observed_at,
            row.url or "",
            row.shipping,
        )
    )
    return uuid.uuid5(_NAMESPACE, hashlib.sha256(key.encode()).hexdigest())


async def known_items(conn: AsyncConnection, item_ids: set[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """Each item's latest revision and category, from the pricing requests seen for it."""
    latest = (
        select(jobs.c.item_id, func.max(jobs.c.revision).label("revision"))
        .where(jobs.c.item_id.in_(item_ids))
        .group_by(jobs.c.item_id)
        .subquery()
    )
    rows = (
        await conn.execute(
            select(latest.c.item_id, latest.c.revision, jobs.c.request).join(
                jobs, (jobs.c.item_id == latest.c.item_id) & (jobs.c.revision == latest.c.revision)
            )
        )
    ).all()
    return {r.item_id: r for r in rows}


async def import_rows(
    conn: AsyncConnection, rows: list[CompRow], rates: Rates
) -> tuple[list[Envelope[Any]], dict[str, int]]:
    items = await known_items(conn, {r.item_id for r in rows})
    errors = [
        f"line {r.line}: item {r.item_id} is not known to the collector"
        for r in rows
        if r.item_id not in items
    ]
    points: dict[uuid.UUID, list[PricePointCollectedData]] = defaultdict(list)
    run_id = uuid.uuid4()
    requests = {item: uuid.uuid4() for item in items}
    for r in rows:
        if r.item_id not in items:
            continue
        try:
            total = rates.total_usd_cents(r.price, r.currency, r.shipping, r.currency)
        except UnknownCurrency as exc:
            errors.append(f"line {r.line}: {exc}")
            continue
        category = items[r.item_id].request["category"]
        points[r.item_id].append(
            PricePointCollectedData(
                price_point_id=row_id(r),
                item_id=r.item_id,
                revision=items[r.item_id].revision,
                request_id=requests[r.item_id],
                source=manual_source(r.source),
                kind=r.kind,  # type: ignore[arg-type]
                title=r.title,
                url=r.url,
                price=r.price,
                currency=r.currency,
                shipping=r.shipping,
                total_usd_cents=total,
                observed_at=r.observed_at,
                sale_format=r.sale_format,  # type: ignore[arg-type]
                bids=r.bids,
                quantity=r.quantity,
                condition=r.condition,
                grade=r.grade or grade_of(category, r.title),
                match_score=1.0,
            )
        )
    if errors:
        raise ImportRefused(errors)
    now = datetime.now(UTC)
    events: list[Envelope[Any]] = []
    for item_id, item_points in points.items():
        request_id = requests[item_id]
        unique = PricePoints.of(item_points, request_id=request_id, run_id=run_id, item_id=item_id)
        source = manual_source("manual")
        snapshot = dict(items[item_id].request)
        snapshot.update(
            request_id=str(request_id), run_id=str(run_id), source=source.model_dump(mode="json")
        )
        await conn.execute(
            jobs.insert().values(
                request_id=request_id,
                run_id=run_id,
                item_id=item_id,
                revision=items[item_id].revision,
                source="manual",
                adapter="manual",
                request=snapshot,
                status="ok",
                collected=len(unique),
                filtered=unique.filtered,
                error=None,
                started_at=now,
            )
        )
        await conn.execute(insert(price_points).values(unique.rows()).on_conflict_do_nothing())
        events.extend(unique.events())
        events.append(
            unique.completed(
                revision=items[item_id].revision,
                source=source,
                status="ok",
                attribution=snapshot.get("attribution"),
            )
        )
    return events, {str(k): len(v) for k, v in points.items()}

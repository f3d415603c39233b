"""Recomputing an item's valuation once its inputs are complete and changed."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.common.events import ValuationComputed, ValuationComputedData
from fairmarket.valuation.db import comps, flags, request_comps, requests, valuations
from fairmarket.valuation.domain import Comp, value
from fairmarket.valuation.metrics import COMPS, COMPUTATIONS, CONFIDENCE, DURATION


async def settled_revision(conn: AsyncConnection, item_id: uuid.UUID) -> dict[str, Any] | None:
    """The newest revision whose every completed request has all of its comps in.

    Comps and completions travel on two topics with no order between them, so a
    valuation waits until each request that reported completion has delivered
    as many comps as it said it emitted, and no request still has comps but no
    completion.
    """
    latest = await conn.scalar(
        select(func.max(requests.c.revision)).where(requests.c.item_id == item_id)
    )
    if latest is None:
        return None
    received = dict(
        (
            await conn.execute(
                select(request_comps.c.request_id, func.count())
                .where(request_comps.c.item_id == item_id, request_comps.c.revision == latest)
                .group_by(request_comps.c.request_id)
            )
        ).all()
    )
    completed = (
        await conn.execute(
            select(requests)
            .where(requests.c.item_id == item_id, requests.c.revision == latest)
            .order_by(requests.c.completed_at)
        )
    ).all()
    if set(received) - {r.request_id for r in completed}:
        return None  # comps of a request that has not completed yet
    if any(received.get(r.request_id, 0) < r.expected for r in completed):
        return None  # completed, but some of its comps are still on their way
    last = completed[-1]
    return {"revision": latest, "run_id": last.run_id, "grade": last.item_grade}


async def load_comps(conn: AsyncConnection, item_id: uuid.UUID, revision: int) -> list[Comp]:
    rows = (
        await conn.execute(
            select(comps, flags.c.excluded)
            .select_from(comps.outerjoin(flags, flags.c.price_point_id == comps.c.price_point_id))
            .where(comps.c.item_id == item_id, comps.c.revision == revision)
        )
    ).all()
    return [
        Comp(
            price_point_id=str(r.price_point_id),
            source=r.source,
            reputation=r.reputation,
            kind=r.kind,
            total_usd_cents=r.total_usd_cents,
            observed_at=r.observed_at,
            match_score=r.match_score,
            sale_format=r.sale_format,
            bids=r.bids,
            grade=r.grade,
            filtered=r.filtered,
            excluded=bool(r.excluded),
        )
        for r in rows
    ]


async def revalue(
    conn: AsyncConnection, item_id: uuid.UUID, *, now: datetime | None = None
) -> ValuationComputed | None:
    """Value the item if its inputs are settled and changed; returns the event to emit."""
    settled = await settled_revision(conn, item_id)
    if settled is None:
        COMPUTATIONS.labels("waiting").inc()
        return None
    item_comps = await load_comps(conn, item_id, settled["revision"])
    started = time.perf_counter()
    result = value(item_comps, as_of=now or datetime.now(UTC), grade=settled["grade"])
    DURATION.observe(time.perf_counter() - started)
    COMPS.observe(len(item_comps))
    previous = (
        await conn.execute(
            select(valuations.c.version, valuations.c.inputs_hash, valuations.c.fmv_usd_cents)
            .where(valuations.c.item_id == item_id)
            .order_by(valuations.c.version.desc())
            .limit(1)
            .with_for_update()
        )
    ).one_or_none()
    if previous is not None and previous.inputs_hash == result.inputs_hash:
        COMPUTATIONS.labels("unchanged").inc()
        return None
    version = (previous.version if previous else 0) + 1
    data = ValuationComputedData(
        item_id=item_id,
        revision=settled["revision"],
        version=version,
        previous_fmv_usd_cents=previous.fmv_usd_cents if previous else None,
        **result.to_payload(),
    )
    await conn.execute(
        valuations.insert().values(
            item_id=item_id,
            version=version,
            revision=settled["revision"],
            method=data.method,
            inputs_hash=data.inputs_hash,
            fmv_usd_cents=data.fmv_usd_cents,
            confidence=data.confidence,
            payload=data.model_dump(mode="json"),
            details=result.details_payload(),
        )
    )
    COMPUTATIONS.labels("emitted" if data.fmv_usd_cents is not None else "no_price").inc()
    CONFIDENCE.observe(data.confidence)
    return ValuationComputed(producer="valuation", correlation_id=settled["run_id"], data=data)

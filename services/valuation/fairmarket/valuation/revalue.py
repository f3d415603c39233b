"""Recomputing an item's valuation once its inputs are complete and changed.

A consumer batch touches many items, so each step runs once for all of them:
per-item queries were most of the service's time in round trips.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, and_, any_, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.common.events import ValuationComputed, ValuationComputedData
from fairmarket.common.inputs import EARLIEST, LATEST
from fairmarket.valuation.db import comps, flags, request_comps, requests, valuations
from fairmarket.valuation.domain import CompFrame, Valuation, value_frame
from fairmarket.valuation.domain.settled import run_complete
from fairmarket.valuation.metrics import COMPS, COMPUTATIONS, CONFIDENCE, DURATION

Pair = tuple[uuid.UUID, int]

# Arrays rather than IN lists: one SQL text whatever the batch size, so the
# driver's prepared statement is reused instead of prepared again per size.
_UUIDS = ARRAY(UUID(as_uuid=True))
_INTS = ARRAY(Integer)
_ITEMS = bindparam("items", type_=_UUIDS)


def _wanted() -> Any:
    """(item_id, revision) pairs passed as two parallel arrays."""
    return (
        func.unnest(
            bindparam("pair_items", type_=_UUIDS),
            bindparam("pair_revisions", type_=_INTS),
        )
        .table_valued("item_id", "revision")
        .render_derived(name="wanted")
    )


def _pair_params(pairs: Sequence[Pair]) -> dict[str, list[Any]]:
    return {"pair_items": [p[0] for p in pairs], "pair_revisions": [p[1] for p in pairs]}


def _latest_requests() -> Any:
    latest = (
        select(requests.c.item_id, func.max(requests.c.revision).label("revision"))
        .where(requests.c.item_id == any_(_ITEMS))
        .group_by(requests.c.item_id)
        .subquery("latest")
    )
    return (
        select(requests)
        .join(
            latest,
            and_(requests.c.item_id == latest.c.item_id, requests.c.revision == latest.c.revision),
        )
        .order_by(requests.c.item_id, requests.c.completed_at)
    )


def _received() -> Any:
    wanted = _wanted()
    return (
        select(request_comps.c.item_id, request_comps.c.request_id, func.count().label("n"))
        .join(
            wanted,
            and_(
                request_comps.c.item_id == wanted.c.item_id,
                request_comps.c.revision == wanted.c.revision,
            ),
        )
        .group_by(request_comps.c.item_id, request_comps.c.request_id)
    )


def _comps() -> Any:
    """A comp dated outside 1900-2100 (stored before the import refused such dates) reads
    as filtered, its date clamped: a year-1 or year-10000 timestamp no longer converts to
    a Python datetime, and must not freeze its item's valuation."""
    wanted = _wanted()
    observed = comps.c.observed_at
    outside = or_(observed < EARLIEST, observed >= LATEST)
    columns = [c for c in comps.c if c.name not in ("observed_at", "filtered")]
    clamped = func.least(func.greatest(observed, EARLIEST), LATEST - timedelta(seconds=1))
    return select(
        *columns,
        clamped.label("observed_at"),
        (comps.c.filtered | outside).label("filtered"),
        flags.c.excluded,
    ).select_from(
        comps.join(
            wanted,
            and_(comps.c.item_id == wanted.c.item_id, comps.c.revision == wanted.c.revision),
        ).outerjoin(flags, flags.c.price_point_id == comps.c.price_point_id)
    )


def _previous() -> Any:
    """Each item's newest valuation, locked so two replicas cannot both write its next
    version (the primary key still rejects the second one, which fails its batch)."""
    newer = valuations.alias("newer")
    newest = (
        select(func.max(newer.c.version))
        .where(newer.c.item_id == valuations.c.item_id)
        .scalar_subquery()
    )
    return (
        select(
            valuations.c.item_id,
            valuations.c.version,
            valuations.c.inputs_hash,
            valuations.c.fmv_usd_cents,
        )
        .where(valuations.c.item_id == any_(_ITEMS), valuations.c.version == newest)
        .order_by(valuations.c.item_id)  # one lock order across replicas
        .with_for_update()
    )


LATEST_REQUESTS = _latest_requests()
RECEIVED = _received()
COMPS_OF = _comps()
PREVIOUS = _previous()


async def settled_revisions(
    conn: AsyncConnection, item_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    """Each item's newest revision once its run is complete (`domain.settled.run_complete`
    decides; this only fetches the completions and comp counts). Items still waiting are
    absent from the result."""
    if not item_ids:
        return {}
    completed: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for r in await conn.execute(LATEST_REQUESTS, {"items": list(item_ids)}):
        completed[r.item_id].append(r)  # ordered by completed_at within an item
    if not completed:
        return {}
    pairs = [(item_id, rows[0].revision) for item_id, rows in completed.items()]
    received: dict[uuid.UUID, dict[uuid.UUID, int]] = defaultdict(dict)
    for r in await conn.execute(RECEIVED, _pair_params(pairs)):
        received[r.item_id][r.request_id] = r.n
    settled: dict[uuid.UUID, dict[str, Any]] = {}
    for item_id, rows in completed.items():
        if not run_complete(rows, received.get(item_id, {})):
            continue
        last = rows[-1]
        settled[item_id] = {
            "revision": last.revision,
            "run_id": last.run_id,
            "grade": last.item_grade,
        }
    return settled


async def settled_revision(conn: AsyncConnection, item_id: uuid.UUID) -> dict[str, Any] | None:
    return (await settled_revisions(conn, [item_id])).get(item_id)


async def load_frames_many(conn: AsyncConnection, pairs: Sequence[Pair]) -> dict[Pair, CompFrame]:
    """Each (item_id, revision)'s comps as the engine's columns, straight from the rows:
    no Comp object per row (at 10,000 comps, building them costs more than valuing)."""
    grouped: dict[Pair, list[Any]] = {pair: [] for pair in pairs}
    if pairs:
        for r in await conn.execute(COMPS_OF, _pair_params(pairs)):
            grouped[(r.item_id, r.revision)].append(r)
    return {pair: _frame(rows) for pair, rows in grouped.items()}


def _frame(rows: list[Any]) -> CompFrame:
    if not rows:
        return CompFrame.from_comps([])
    c = dict(zip(rows[0]._fields, zip(*rows, strict=True), strict=True))
    return CompFrame.from_columns(
        price_point_id=[str(x) for x in c["price_point_id"]],
        source=c["source"],
        reputation=c["reputation"],
        kind=c["kind"],
        total_usd_cents=c["total_usd_cents"],
        observed_at=c["observed_at"],
        match_score=c["match_score"],
        sale_format=c["sale_format"],
        bids=c["bids"],
        grade=c["grade"],
        filtered=c["filtered"],
        excluded=[bool(x) for x in c["excluded"]],
    )


async def revalue_many(
    conn: AsyncConnection, item_ids: Sequence[uuid.UUID], *, now: datetime | None = None
) -> list[ValuationComputed]:
    """Value the items whose inputs are settled and changed; returns the events to emit
    in the order the items were given."""
    ids = list(dict.fromkeys(item_ids))
    settled = await settled_revisions(conn, ids)
    if len(settled) < len(ids):
        COMPUTATIONS.labels("waiting").inc(len(ids) - len(settled))
    if not settled:
        return []
    ready = [item_id for item_id in ids if item_id in settled]
    loaded = await load_frames_many(conn, [(i, settled[i]["revision"]) for i in ready])
    results: dict[uuid.UUID, Valuation] = {}
    for item_id in ready:
        frame = loaded[(item_id, settled[item_id]["revision"])]
        started = time.perf_counter()
        results[item_id] = value_frame(
            frame, as_of=now or datetime.now(UTC), grade=settled[item_id]["grade"]
        )
        DURATION.observe(time.perf_counter() - started)
        COMPS.observe(len(frame.ids))
    previous = {r.item_id: r for r in await conn.execute(PREVIOUS, {"items": ready})}
    rows: list[dict[str, Any]] = []
    emitted: list[ValuationComputed] = []
    for item_id in ready:
        result, before, inputs = results[item_id], previous.get(item_id), settled[item_id]
        if before is not None and before.inputs_hash == result.inputs_hash:
            COMPUTATIONS.labels("unchanged").inc()
            continue
        data = ValuationComputedData(
            item_id=item_id,
            revision=inputs["revision"],
            version=(before.version if before else 0) + 1,
            previous_fmv_usd_cents=before.fmv_usd_cents if before else None,
            **result.to_payload(),
        )
        rows.append(
            {
                "item_id": item_id,
                "version": data.version,
                "revision": data.revision,
                "method": data.method,
                "inputs_hash": data.inputs_hash,
                "fmv_usd_cents": data.fmv_usd_cents,
                "confidence": data.confidence,
                "payload": data.model_dump(mode="json"),
                "details": result.details_payload(),
            }
        )
        emitted.append(
            ValuationComputed(producer="valuation", correlation_id=inputs["run_id"], data=data)
        )
    if rows:
        await conn.execute(valuations.insert(), rows)
    for event in emitted:
        outcome = "emitted" if event.data.fmv_usd_cents is not None else "no_price"
        COMPUTATIONS.labels(outcome).inc()
        CONFIDENCE.observe(event.data.confidence)
    return emitted


async def revalue(
    conn: AsyncConnection, item_id: uuid.UUID, *, now: datetime | None = None
) -> ValuationComputed | None:
    """Value the item if its inputs are settled and changed; returns the event to emit."""
    emitted = await revalue_many(conn, [item_id], now=now)
    return emitted[0] if emitted else None

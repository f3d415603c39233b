"""Catalog's handlers: keep the read model and start pricing runs.

Each handler gets only events the inbox has not seen, with the unit of work of the
batch's transaction (events it raises are written to the outbox with the batch);
writes are upserts guarded by revision or version, so events of one item from
different topics may arrive in any order.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    Float,
    String,
    any_,
    bindparam,
    column,
    func,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.catalog.db import comps, items, pricing_requests, pricing_runs, valuations
from fairmarket.catalog.metrics import (
    ATTRIBUTION_TO_VALUATION,
    BAD_ROWS_SKIPPED,
    PRICING_REQUESTS_COMPLETED,
    VALUATIONS,
)
from fairmarket.catalog.pricing import PRODUCER as CATALOG_PRODUCER
from fairmarket.catalog.pricing import RunAsk, start_runs
from fairmarket.catalog.products import follow_valuations
from fairmarket.catalog.watching import evaluate
from fairmarket.common.db import among
from fairmarket.common.events import (
    IntakeAttributed,
    PricePointCollected,
    PricingCompleted,
    ValuationComputed,
)
from fairmarket.common.inputs import EARLIEST, LATEST, fit
from fairmarket.common.uow import UnitOfWork

MODELS = (IntakeAttributed, PricePointCollected, PricingCompleted, ValuationComputed)


USE_COLUMNS = ("valuation_use", "valuation_weight", "valuation_grade_ratio", "valuation_version")


def _upsert_comps() -> Any:
    """One statement for every batch (rows go as parameters, so its compilation is cached);
    a comp seen again keeps an admin's exclusion."""
    stmt = insert(comps)
    keep = (
        "price_point_id",
        "excluded",
        "excluded_reason",
        "excluded_by",
        "outlier",
        *USE_COLUMNS,
    )
    return stmt.on_conflict_do_update(
        index_elements=[comps.c.price_point_id],
        set_={c.name: stmt.excluded[c.name] for c in comps.columns if c.name not in keep},
    )


UPSERT_COMPS = _upsert_comps()


def _upsert_items() -> Any:
    """A newer revision replaces the attribution; the rows returned are the ones applied."""
    stmt = insert(items)
    return stmt.on_conflict_do_update(
        index_elements=[items.c.id],
        set_={
            "title": stmt.excluded.title,
            "attribution": stmt.excluded.attribution,
            "revision": stmt.excluded.revision,
            "updated_at": func.now(),
        },
        where=items.c.revision < stmt.excluded.revision,
    ).returning(items)


UPSERT_ITEMS = _upsert_items()
COMPLETE_REQUEST = (
    update(pricing_requests)
    .where(pricing_requests.c.id == bindparam("request_id"))
    .values(
        status=bindparam("status"),
        collected=bindparam("collected"),
        filtered=bindparam("filtered"),
        error=bindparam("error"),
        completed_at=bindparam("completed_at"),
    )
)
INSERT_VALUATION = (
    insert(valuations)
    .values(
        item_id=bindparam("b_id"),
        version=bindparam("b_version"),
        revision=bindparam("b_revision"),
        fmv_usd_cents=bindparam("b_fmv"),
        confidence=bindparam("b_confidence"),
        payload=bindparam("b_payload"),
        computed_at=bindparam("b_valued_at"),
    )
    .on_conflict_do_nothing()
)
SET_ITEM_VALUATION = (
    update(items)
    .where(items.c.id == bindparam("b_id"))
    .where(
        items.c.valuation_version.is_(None) | (items.c.valuation_version < bindparam("b_version"))
    )
    .values(
        valuation=bindparam("b_valuation"),
        valuation_version=bindparam("b_version"),
        fmv_usd_cents=bindparam("b_fmv"),
        confidence=bindparam("b_confidence"),
        valued_at=bindparam("b_valued_at"),
    )
)
_OUTLIER = comps.c.price_point_id == any_(bindparam("b_ids", type_=ARRAY(UUID(as_uuid=True))))
MARK_OUTLIERS = (  # only the comps whose flag changes are written
    update(comps)
    .where(comps.c.item_id == bindparam("b_item"), comps.c.outlier.is_distinct_from(_OUTLIER))
    .values(outlier=_OUTLIER)
)
_USES = (
    func.unnest(
        bindparam("b_ids", type_=ARRAY(UUID(as_uuid=True))),
        bindparam("b_uses", type_=ARRAY(String)),
        bindparam("b_weights", type_=ARRAY(Float)),
        bindparam("b_ratios", type_=ARRAY(Float)),
    )
    .table_valued(
        column("id", UUID(as_uuid=True)),
        column("use", String),
        column("weight", Float),
        column("ratio", Float),
    )
    .render_derived(name="u", with_types=False)
)
_NOT_NEWER = or_(  # a redelivered older valuation never overwrites a newer one's word
    comps.c.valuation_version.is_(None), comps.c.valuation_version <= bindparam("b_version")
)
SET_USES = (  # each listed comp of the item: what this valuation did with it
    update(comps)
    .where(comps.c.item_id == bindparam("b_item"), comps.c.price_point_id == _USES.c.id)
    .where(_NOT_NEWER)
    .values(
        valuation_use=_USES.c.use,
        valuation_weight=_USES.c.weight,
        valuation_grade_ratio=_USES.c.ratio,
        valuation_version=bindparam("b_version"),
    )
)
CLEAR_USES = (  # the item's comps this valuation did not list: not valued by it
    update(comps)
    .where(
        comps.c.item_id == bindparam("b_item"),
        comps.c.valuation_use.is_not(None),
        comps.c.price_point_id != func.all(bindparam("b_listed", type_=ARRAY(UUID(as_uuid=True)))),
        comps.c.valuation_version < bindparam("b_version"),
    )
    .values(
        valuation_use=null(),
        valuation_weight=null(),
        valuation_grade_ratio=null(),
        valuation_version=bindparam("b_version"),
    )
)
SET_RUN_VALUED = (
    update(pricing_runs)
    .where(pricing_runs.c.id == bindparam("b_id"))
    .values(valued_at=bindparam("b_at"), valuation_version=bindparam("b_version"))
)


def outlier_ids(event: ValuationComputed) -> list[uuid.UUID]:
    ids = []
    for raw in event.data.outlier_price_point_ids:
        with contextlib.suppress(ValueError):  # the contract carries strings
            ids.append(uuid.UUID(raw))
    return ids


def comp_uses(event: ValuationComputed) -> dict[str, Any]:
    """The event's per-comp uses as array parameters of ``SET_USES``."""
    ids, uses, weights, ratios = [], [], [], []
    for u in event.data.comp_uses:
        with contextlib.suppress(ValueError):  # the contract carries strings
            ids.append(uuid.UUID(u.price_point_id))
            uses.append(u.use)
            weights.append(u.weight)
            ratios.append(u.grade_ratio)
    return {
        "b_item": event.data.item_id,
        "b_version": event.data.version,
        "b_ids": ids,
        "b_listed": ids,
        "b_uses": uses,
        "b_weights": weights,
        "b_ratios": ratios,
    }


class CatalogHandlers:
    """One handler per event kind, each over the whole batch's events of that kind in a few
    statements (a round trip per event was the catalog's main cost); `create_app` declares
    which kind goes where. No kind here depends on another's in the same batch (each needs
    the other's commit first)."""

    def __init__(self, *, approval_threshold_pct: float = 20.0) -> None:
        self.approval_threshold_pct = approval_threshold_pct
        self.on_deliveries: Callable[[], None] = lambda: None  # wakes the webhook sender

    async def on_attributed(self, events: list[IntakeAttributed], uow: UnitOfWork) -> None:
        newest: dict[Any, IntakeAttributed] = {}
        for event in events:  # one row per item and statement: the newest revision wins
            held = newest.get(event.data.item_id)
            if held is None or held.data.revision <= event.data.revision:
                newest[event.data.item_id] = event
        rows = [
            {
                "id": e.data.item_id,
                "category": e.data.category,
                "title": e.data.title,
                "attribution": e.data.attribution.model_dump(mode="json"),
                "revision": e.data.revision,
            }
            for e in newest.values()
        ]
        applied = {item.id: item for item in (await uow.conn.execute(UPSERT_ITEMS, rows)).all()}
        # an item not returned had this revision or a newer one already
        asks = [
            RunAsk(
                applied[e.data.item_id],
                e.data.reason,
                f"intake:{e.data.reason}",
                causation_id=e.event_id,
            )
            for e in newest.values()
            if e.data.item_id in applied
        ]
        started = await start_runs(uow.conn, asks)
        uow.raise_events(e for _, run_events in started for e in run_events)

    async def on_collected(self, events: list[PricePointCollected], uow: UnitOfWork) -> None:
        """A comp whose fields the columns cannot hold (a date outside 1900-2100, NUL bytes,
        over-long text) is stored fitted and filtered, with the reason, and counted: refusing
        it would dead-letter the batch, and with it every other item's comps."""
        rows = {}
        for e in events:
            d = e.data
            observed, filtered, reason = d.observed_at, d.filtered, d.filtered_reason
            if not EARLIEST <= observed < LATEST:
                observed = min(max(observed, EARLIEST), LATEST - timedelta(seconds=1))
                filtered, reason = True, f"observed date {d.observed_at.isoformat()} out of range"
                BAD_ROWS_SKIPPED.labels("comp").inc()
            rows[d.price_point_id] = {
                "price_point_id": d.price_point_id,
                "item_id": d.item_id,
                "revision": d.revision,
                "request_id": d.request_id,
                "source": fit(d.source.name, 100),
                "kind": d.kind,
                "title": fit(d.title, 4000),
                "url": fit(d.url, 4000),
                "price": d.price,
                "currency": fit(d.currency, 3),
                "shipping": d.shipping,
                "total_usd_cents": d.total_usd_cents,
                "observed_at": observed,
                "sale_format": d.sale_format,
                "condition": fit(d.condition, 100),
                "grade": fit(d.grade, 100),
                "match_score": d.match_score,
                "filtered": filtered,
                "filtered_reason": fit(reason, 500),
            }
        await uow.conn.execute(UPSERT_COMPS, list(rows.values()))

    async def on_completed(self, events: list[PricingCompleted], uow: UnitOfWork) -> None:
        # the catalog's own completions (requests given up or never sent) wrote their rows; a
        # collector's answer, even a late one after the give-up, says what was collected
        events = [e for e in events if e.producer != CATALOG_PRODUCER]
        if not events:
            return
        for e in events:
            PRICING_REQUESTS_COMPLETED.labels(e.data.status).inc()
        await uow.conn.execute(
            COMPLETE_REQUEST,
            [
                {
                    "request_id": e.data.request_id,
                    "status": e.data.status,
                    "collected": e.data.collected,
                    "filtered": e.data.filtered,
                    "error": e.data.error,
                    "completed_at": e.occurred_at,
                }
                for e in events
            ],
        )

    async def on_valuations(self, events: list[ValuationComputed], uow: UnitOfWork) -> None:
        """Keep each valuation, show it on its item and comps, close the runs it answers,
        let published products follow it, and wake the webhooks its watches fired."""
        conn = uow.conn
        await _keep_valuations(conn, events)
        await _show_on_comps(conn, events)
        await _mark_runs_valued(conn, events)
        VALUATIONS.inc(len(events))
        fmvs = [(e.data.item_id, e.data.fmv_usd_cents) for e in events]
        await follow_valuations(conn, fmvs, self.approval_threshold_pct)
        if await evaluate(conn, events):
            self.on_deliveries()


async def _keep_valuations(conn: AsyncConnection, events: list[ValuationComputed]) -> None:
    """Every version received kept as history (a repeat is ignored), and shown on its item in
    the events' order, each only over an older version: one parameter row per event, read by
    both statements."""
    rows = []
    for e in events:
        payload = e.data.model_dump(mode="json")
        rows.append(
            {
                "b_id": e.data.item_id,
                "b_version": e.data.version,
                "b_revision": e.data.revision,
                "b_fmv": e.data.fmv_usd_cents,
                "b_confidence": e.data.confidence,
                "b_valued_at": e.occurred_at,
                "b_payload": payload,
                # the per-comp uses live on the comps; the item keeps the figures
                "b_valuation": {k: v for k, v in payload.items() if k != "comp_uses"},
            }
        )
    await conn.execute(INSERT_VALUATION, rows)
    await conn.execute(SET_ITEM_VALUATION, rows)


async def _show_on_comps(conn: AsyncConnection, events: list[ValuationComputed]) -> None:
    """Each item's comps as its valuations flag them (outliers) and used them, in order."""
    await conn.execute(
        MARK_OUTLIERS,
        [{"b_item": e.data.item_id, "b_ids": outlier_ids(e)} for e in events],
    )
    uses = [comp_uses(e) for e in events]
    await conn.execute(
        CLEAR_USES, [{k: u[k] for k in ("b_item", "b_version", "b_listed")} for u in uses]
    )
    await conn.execute(SET_USES, uses)


async def _mark_runs_valued(conn: AsyncConnection, events: list[ValuationComputed]) -> None:
    """The pricing runs these valuations answer, and the time from attribution to value."""
    run_ids = list({e.correlation_id for e in events if e.correlation_id is not None})
    if not run_ids:
        return
    query = select(pricing_runs.c.id, pricing_runs.c.created_at)
    started = dict((await conn.execute(query.where(among(pricing_runs.c.id, run_ids)))).all())
    marks = [e for e in events if e.correlation_id in started]
    if not marks:
        return
    await conn.execute(
        SET_RUN_VALUED,
        [
            {"b_id": e.correlation_id, "b_at": e.occurred_at, "b_version": e.data.version}
            for e in marks
        ],
    )
    for e in marks:
        latency = (e.occurred_at - started[e.correlation_id]).total_seconds()
        ATTRIBUTION_TO_VALUATION.observe(max(latency, 0.0))

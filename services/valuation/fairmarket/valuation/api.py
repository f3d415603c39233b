"""Reading a valuation and how it was reached."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from fairmarket.common.comp_use import describe
from fairmarket.common.runtime import Runtime
from fairmarket.common.web import Viewer
from fairmarket.valuation.db import comps, flags, valuations

router = APIRouter(prefix="/v1/valuations", tags=["valuations"])


class CompOut(BaseModel):
    """One comp of the valuation: how it entered it, and the comp itself as this service
    stored it (null when the service no longer holds the comp)."""

    model_config = ConfigDict(extra="allow")  # whatever else the engine records per comp

    price_point_id: str = Field(description="the price point's id (a UUID)")
    weight: float = Field(description="share of the total weight of used comps; 0 when not used")
    outlier: bool
    used: bool
    reason: str | None = Field(description="why the comp was not used")
    adjusted_usd_cents: int | None = Field(description="the total after any grade adjustment")
    source: str | None = Field(default=None, description="the source's name, e.g. ebay")
    kind: str | None = Field(default=None, description="sold, ask, auction or guide")
    total_usd_cents: int | None = Field(
        default=None, description="price plus shipping in USD cents, before adjustment"
    )
    observed_at: datetime | None = Field(default=None, description="when it sold or was seen")
    grade: str | None = None
    filtered_reason: str | None = Field(default=None, description="the collector's reason")
    use: str | None = Field(
        default=None,
        description="what the valuation did with it: used, other_grade_used, "
        "other_grade_left_out, outlier, outside_window, listing_bound, filtered, excluded, "
        "future, no_price, unknown_kind, zero_weight (null in valuations from before)",
    )
    grade_ratio: float | None = Field(
        default=None, description="the learned ratio another grade's price was multiplied by"
    )
    status: str = Field(
        default="", description='that in words, e.g. "used, weight 0.21" or "filtered: lot"'
    )


class ValuationOut(BaseModel):
    item_id: uuid.UUID
    version: int
    revision: int
    method: str
    computed_at: datetime
    valuation: dict[str, Any]
    comps: list[CompOut]


STORED_COMP = (
    comps.c.source,
    comps.c.kind,
    comps.c.total_usd_cents,
    comps.c.observed_at,
    comps.c.grade,
    comps.c.filtered_reason,
)
# One array parameter: one prepared statement whatever the number of comps.
STORED_COMPS = (
    select(comps.c.price_point_id, *STORED_COMP, flags.c.reason.label("excluded_reason"))
    .outerjoin(flags, flags.c.price_point_id == comps.c.price_point_id)
    .where(
        comps.c.price_point_id == any_(bindparam("ids", type_=ARRAY(UUID(as_uuid=True)))),
        comps.c.item_id == bindparam("item_id"),
    )
)


def status(detail: dict[str, Any], stored: Any) -> str:
    """The comp's use in the valuation, in the words the catalog and the demo use."""
    use = detail.get("use")
    if use is None:  # a valuation from before uses were recorded
        use = "used" if detail.get("used") else ("outlier" if detail.get("outlier") else None)
    return describe(
        use,
        weight=detail.get("weight"),
        grade_ratio=detail.get("grade_ratio"),
        grade=stored["grade"] if stored is not None else None,
        filtered=use == "filtered",
        filtered_reason=stored["filtered_reason"] if stored is not None else None,
        excluded=use == "excluded",
        excluded_reason=stored["excluded_reason"] if stored is not None else None,
    )


def _comp_id(detail: dict[str, Any]) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(detail.get("price_point_id")))
    except ValueError:
        return None


class HistoryEntry(BaseModel):
    version: int
    revision: int
    method: str
    computed_at: datetime
    fmv_usd_cents: int | None
    ci95_low_usd_cents: int | None
    ci95_high_usd_cents: int | None
    fmv_low_usd_cents: int | None = None  # the 80% forward range (fmv-2026.12.1 on)
    fmv_high_usd_cents: int | None = None
    confidence: int


@router.get("/{item_id}", response_model=ValuationOut)
async def current(item_id: uuid.UUID, principal: Viewer, rt: Runtime) -> ValuationOut:
    async with rt.reader.connect() as conn:
        row = (
            await conn.execute(
                select(valuations)
                .where(valuations.c.item_id == item_id)
                .order_by(valuations.c.version.desc())
                .limit(1)
            )
        ).one_or_none()
        if row is None:
            raise HTTPException(404, f"no valuation for item {item_id}")
        details: list[dict[str, Any]] = row.details.get("comps", [])
        ids = {i for i in map(_comp_id, details) if i is not None}
        stored = {}
        if ids:
            found = await conn.execute(STORED_COMPS, {"ids": list(ids), "item_id": item_id})
            stored = {r.price_point_id: r._mapping for r in found}
    out = []
    for detail in details:
        pid = _comp_id(detail)
        comp = stored.get(pid) if pid is not None else None
        fields = {c.name: comp[c.name] for c in STORED_COMP} if comp is not None else {}
        fields["status"] = status(detail, comp)
        out.append(CompOut.model_validate({**detail, **fields}))
    return ValuationOut(
        item_id=row.item_id,
        version=row.version,
        revision=row.revision,
        method=row.method,
        computed_at=row.computed_at,
        valuation=row.payload,
        comps=out,
    )


@router.get("/{item_id}/history", response_model=list[HistoryEntry])
async def history(
    item_id: uuid.UUID,
    principal: Viewer,
    rt: Runtime,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[HistoryEntry]:
    async with rt.reader.connect() as conn:
        rows = (
            await conn.execute(
                select(valuations)
                .where(valuations.c.item_id == item_id)
                .order_by(valuations.c.version.desc())
                .limit(limit)
            )
        ).all()
    return [
        HistoryEntry(
            version=r.version,
            revision=r.revision,
            method=r.method,
            computed_at=r.computed_at,
            fmv_usd_cents=r.fmv_usd_cents,
            ci95_low_usd_cents=r.payload.get("ci95_low_usd_cents"),
            ci95_high_usd_cents=r.payload.get("ci95_high_usd_cents"),
            fmv_low_usd_cents=r.payload.get("fmv_low_usd_cents"),
            fmv_high_usd_cents=r.payload.get("fmv_high_usd_cents"),
            confidence=r.confidence,
        )
        for r in rows
    ]

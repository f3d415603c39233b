"""Items: the read model of what was taken in, with its comps and valuations."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from fairmarket.catalog.api.deps import Runtime
from fairmarket.catalog.api.etag import tagged
from fairmarket.catalog.db import comps, items, pricing_requests, valuations
from fairmarket.catalog.domain import item_query
from fairmarket.catalog.domain.csv_export import (
    COMP_CSV_COLUMNS,
    ITEM_CSV_COLUMNS,
    csv_line,
    item_csv_row,
)
from fairmarket.catalog.domain.item_query import ItemFilter, SortKey
from fairmarket.catalog.domain.price_policy import MAX_CENTS
from fairmarket.catalog.service.rows import by_id
from fairmarket.common.comp_use import describe
from fairmarket.common.events import Category
from fairmarket.common.inputs import SaneDatetime, text
from fairmarket.common.web import Viewer

router = APIRouter(prefix="/v1/items", tags=["items"])

SearchText, GradeText, CursorText = text(200), text(50), text(500)


class SourceRun(BaseModel):
    source: str
    request_id: uuid.UUID
    run_id: uuid.UUID
    status: str
    collected: int
    filtered: int
    error: str | None
    requested_at: datetime
    completed_at: datetime | None


class ItemOut(BaseModel):
    id: uuid.UUID
    category: str
    title: str | None
    revision: int
    attribution: dict[str, Any]
    valuation: dict[str, Any] | None
    latest_runs: list[SourceRun] = []
    created_at: datetime
    updated_at: datetime


class ItemPage(BaseModel):
    items: list[ItemOut]
    next_cursor: str | None


class CompOut(BaseModel):
    price_point_id: uuid.UUID
    revision: int
    source: str
    kind: str
    title: str
    url: str | None
    price: str
    currency: str
    shipping: str
    total_usd_cents: int
    observed_at: datetime
    sale_format: str | None
    condition: str | None
    grade: str | None
    match_score: float
    filtered: bool
    filtered_reason: str | None
    excluded: bool
    excluded_reason: str | None
    excluded_by: str | None
    outlier: bool = Field(description="set aside by the outlier fences in the latest valuation")
    valuation_use: str | None = Field(
        default=None,
        description="what the item's latest valuation did with the comp: used, "
        "other_grade_used, other_grade_left_out, outlier, outside_window, listing_bound, "
        "filtered, excluded, no_price, unknown_kind, zero_weight; null: the comp came "
        "after it (not yet valued)",
    )
    valuation_weight: float | None = Field(
        default=None, description="its share of the used comps' weight, when used"
    )
    valuation_grade_ratio: float | None = Field(
        default=None, description="the learned ratio another grade's price was multiplied by"
    )
    valuation_version: int | None = Field(default=None, description="the valuation that said so")
    status: str = Field(
        default="",
        description='all that in words: "used, weight 0.21", "PSA 9 via ratio \u00d71.62, '
        'weight 0.05", "other grade, left out", "outlier", "older than the window", '
        '"filtered: <reason>", "excluded by admin: <reason>", "not yet valued"',
    )


class ValuationOut(BaseModel):
    version: int
    revision: int
    fmv_usd_cents: int | None
    confidence: int
    computed_at: datetime
    valuation: dict[str, Any]


def _item(row: Any, runs: list[SourceRun] | None = None) -> ItemOut:
    return ItemOut(
        id=row.id,
        category=row.category,
        title=row.title,
        revision=row.revision,
        attribution=row.attribution,
        valuation=row.valuation,
        latest_runs=runs or [],
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def item_filter(
    category: Annotated[Category | None, Query()] = None,
    q: Annotated[SearchText | None, Query(description="text in title or attribution")] = None,
    year: Annotated[int | None, Query(ge=1, le=2100)] = None,
    grade: Annotated[GradeText | None, Query()] = None,
    min_fmv_usd_cents: Annotated[int | None, Query(ge=0, le=MAX_CENTS)] = None,
    max_fmv_usd_cents: Annotated[int | None, Query(ge=0, le=MAX_CENTS)] = None,
    min_confidence: Annotated[int | None, Query(ge=1, le=10)] = None,
    has_valuation: bool | None = None,
    stale_since: SaneDatetime | None = None,
    sort: SortKey = "created_at",
    order: Literal["asc", "desc"] = "desc",
) -> ItemFilter:
    return ItemFilter(
        category=category,
        q=q,
        year=year,
        grade=grade,
        min_fmv_usd_cents=min_fmv_usd_cents,
        max_fmv_usd_cents=max_fmv_usd_cents,
        min_confidence=min_confidence,
        has_valuation=has_valuation,
        stale_since=stale_since,
        sort=sort,
        descending=order == "desc",
    )


Filter = Annotated[ItemFilter, Depends(item_filter)]


async def _page(rt: Runtime, f: ItemFilter, limit: int, cursor: str | None) -> ItemPage:
    try:
        query = item_query.build(f, limit=limit, cursor=cursor)
    except item_query.BadCursor as exc:
        raise HTTPException(400, str(exc)) from exc
    async with rt.reader.connect() as conn:
        rows = (await conn.execute(query)).all()
    page = rows[:limit]
    next_cursor = item_query.encode_cursor(f, page[-1]) if len(rows) > limit else None
    return ItemPage(items=[_item(r) for r in page], next_cursor=next_cursor)


@router.get("", response_model=ItemPage)
async def list_items(
    principal: Viewer,
    rt: Runtime,
    f: Filter,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[CursorText | None, Query()] = None,
) -> ItemPage:
    return await _page(rt, f, limit, cursor)


CSV = {
    200: {
        "description": "CSV with a header row",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


@router.get(".csv", response_class=StreamingResponse, responses=CSV)
async def items_csv(principal: Viewer, rt: Runtime, f: Filter) -> StreamingResponse:
    """Every item matching the filters, for a spreadsheet."""

    async def rows() -> AsyncIterator[str]:
        yield csv_line(ITEM_CSV_COLUMNS)
        cursor = None
        while True:
            page = await _page(rt, f, 500, cursor)
            for item in page.items:
                yield csv_line(item_csv_row(item.model_dump()))
            if not (cursor := page.next_cursor):
                return

    return StreamingResponse(
        rows(),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="items.csv"'},
    )


@router.get(
    "/{item_id}",
    response_model=ItemOut,
    responses={304: {"description": "unchanged since the ETag given in If-None-Match"}},
)
async def get_item(item_id: uuid.UUID, principal: Viewer, rt: Runtime, request: Request) -> Any:
    return tagged(request, await _get_item(item_id, rt))


async def _get_item(item_id: uuid.UUID, rt: Runtime) -> ItemOut:
    async with rt.reader.connect() as conn:
        row = await by_id(conn, items, item_id, "item")
        latest = (
            await conn.execute(
                select(pricing_requests)
                .where(pricing_requests.c.item_id == item_id)
                .distinct(pricing_requests.c.source_id)
                .order_by(pricing_requests.c.source_id, pricing_requests.c.created_at.desc())
            )
        ).all()
    runs = [
        SourceRun(
            source=r.source_name,
            request_id=r.id,
            run_id=r.run_id,
            status=r.status,
            collected=r.collected,
            filtered=r.filtered,
            error=r.error,
            requested_at=r.created_at,
            completed_at=r.completed_at,
        )
        for r in latest
    ]
    return _item(row, runs)


@router.get(
    "/{item_id}/comps",
    response_model=list[CompOut],
    responses={304: {"description": "unchanged since the ETag given in If-None-Match"}},
)
async def get_comps(item_id: uuid.UUID, principal: Viewer, rt: Runtime, request: Request) -> Any:
    return tagged(request, await _comps(item_id, rt))


async def _comps(item_id: uuid.UUID, rt: Runtime) -> list[CompOut]:
    async with rt.reader.connect() as conn:
        rows = (
            await conn.execute(
                select(comps)
                .where(comps.c.item_id == item_id)
                .order_by(comps.c.observed_at.desc(), comps.c.price_point_id)
            )
        ).all()
    return [
        CompOut.model_validate(
            {
                **r._asdict(),
                "price": str(r.price),
                "shipping": str(r.shipping),
                "status": comp_status(r),
            }
        )
        for r in rows
    ]


def comp_status(r: Any) -> str:
    """The comp's status in the words every view uses (``fairmarket.common.comp_use``)."""
    return describe(
        r.valuation_use,
        weight=r.valuation_weight,
        grade_ratio=r.valuation_grade_ratio,
        grade=r.grade,
        filtered=r.filtered,
        filtered_reason=r.filtered_reason,
        excluded=r.excluded,
        excluded_reason=r.excluded_reason,
        outlier=r.outlier,
    )


@router.get("/{item_id}/comps.csv", response_class=StreamingResponse, responses=CSV)
async def comps_csv(item_id: uuid.UUID, principal: Viewer, rt: Runtime) -> StreamingResponse:
    found = await _comps(item_id, rt)

    async def rows() -> AsyncIterator[str]:
        yield csv_line(COMP_CSV_COLUMNS)
        for comp in found:
            yield csv_line([comp.model_dump(mode="json")[c] for c in COMP_CSV_COLUMNS])

    return StreamingResponse(
        rows(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="comps-{item_id}.csv"'},
    )


@router.get("/{item_id}/valuations", response_model=list[ValuationOut])
async def get_valuations(item_id: uuid.UUID, principal: Viewer, rt: Runtime) -> list[ValuationOut]:
    async with rt.reader.connect() as conn:
        rows = (
            await conn.execute(
                select(valuations)
                .where(valuations.c.item_id == item_id)
                .order_by(valuations.c.version.desc())
            )
        ).all()
    return [
        ValuationOut(
            version=r.version,
            revision=r.revision,
            fmv_usd_cents=r.fmv_usd_cents,
            confidence=r.confidence,
            computed_at=r.computed_at,
            valuation=r.payload,
        )
        for r in rows
    ]

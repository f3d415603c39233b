"""Reading a valuation and how it was reached."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel
from sqlalchemy import select

from fairmarket.common.runtime import ServiceRuntime
from fairmarket.common.web import Viewer
from fairmarket.valuation.db import valuations

router = APIRouter(prefix="/v1/valuations", tags=["valuations"])


async def runtime(request: Request) -> ServiceRuntime:
    """async: FastAPI runs a plain `def` dependency in a worker thread, a handoff per request."""
    return request.app.state.runtime


Runtime = Annotated[ServiceRuntime, Depends(runtime)]


class ValuationOut(BaseModel):
    item_id: uuid.UUID
    version: int
    revision: int
    method: str
    computed_at: datetime
    valuation: dict[str, Any]
    comps: list[dict[str, Any]]


class HistoryEntry(BaseModel):
    version: int
    revision: int
    method: str
    computed_at: datetime
    fmv_usd_cents: int | None
    ci95_low_usd_cents: int | None
    ci95_high_usd_cents: int | None
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
    return ValuationOut(
        item_id=row.item_id,
        version=row.version,
        revision=row.revision,
        method=row.method,
        computed_at=row.computed_at,
        valuation=row.payload,
        comps=row.details.get("comps", []),
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
            confidence=r.confidence,
        )
        for r in rows
    ]

"""Pricing runs: ask for fresh comps for an item and follow each source's progress."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from fairmarket.catalog.api.deps import Runtime
from fairmarket.catalog.db import pricing_requests, pricing_runs
from fairmarket.catalog.service import pricing_runs as runs_service
from fairmarket.catalog.service.rows import by_id
from fairmarket.common.web import Staff, Viewer

router = APIRouter(tags=["pricing runs"])


class RunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[str] | None = Field(default=None, max_length=50)


class RequestOut(BaseModel):
    request_id: uuid.UUID
    source: str
    status: str
    collected: int
    filtered: int
    error: str | None
    completed_at: datetime | None


class RunOut(BaseModel):
    id: uuid.UUID
    item_id: uuid.UUID
    revision: int
    reason: str
    requested_by: str
    created_at: datetime
    valued_at: datetime | None
    valuation_version: int | None
    sources: list[RequestOut]


async def _load(rt: Runtime, run_id: uuid.UUID) -> RunOut:
    async with rt.reader.connect() as conn:
        run = await by_id(conn, pricing_runs, run_id, "pricing run")
        reqs = (
            await conn.execute(
                select(pricing_requests)
                .where(pricing_requests.c.run_id == run_id)
                .order_by(pricing_requests.c.source_name)
            )
        ).all()
    return RunOut(
        **{k: v for k, v in run._asdict().items() if k in RunOut.model_fields},
        sources=[
            RequestOut(
                request_id=r.id,
                source=r.source_name,
                status=r.status,
                collected=r.collected,
                filtered=r.filtered,
                error=r.error,
                completed_at=r.completed_at,
            )
            for r in reqs
        ],
    )


@router.post("/v1/items/{item_id}/pricing-runs", status_code=202, response_model=RunOut)
async def create_run(
    item_id: uuid.UUID, principal: Staff, rt: Runtime, body: RunCreate | None = None
) -> RunOut:
    run_id = await runs_service.reprice(rt, principal, item_id, body.sources if body else None)
    return await _load(rt, run_id)


@router.get("/v1/pricing-runs/{run_id}", response_model=RunOut)
async def get_run(run_id: uuid.UUID, principal: Viewer, rt: Runtime) -> RunOut:
    return await _load(rt, run_id)

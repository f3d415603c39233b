"""Collector's REST API: what a collection job did, down to its raw responses."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel
from sqlalchemy import select

from fairmarket.collector.db import exchanges, jobs
from fairmarket.common.runtime import ServiceRuntime
from fairmarket.common.web import Viewer

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


def runtime(request: Request) -> ServiceRuntime:
    return request.app.state.runtime


Runtime = Annotated[ServiceRuntime, Depends(runtime)]


class ExchangeOut(BaseModel):
    seq: int
    method: str
    url: str
    params: dict[str, Any]
    status: int
    elapsed_ms: float
    requested_at: datetime
    artifact_id: str


class JobOut(BaseModel):
    request_id: uuid.UUID
    run_id: uuid.UUID
    item_id: uuid.UUID
    revision: int
    source: str
    adapter: str
    status: str
    collected: int
    filtered: int
    error: str | None
    started_at: datetime
    completed_at: datetime
    exchanges: list[ExchangeOut]


@router.get("/{request_id}", response_model=JobOut)
async def get_job(request_id: uuid.UUID, principal: Viewer, rt: Runtime) -> JobOut:
    async with rt.engine.connect() as conn:
        job = (
            await conn.execute(select(jobs).where(jobs.c.request_id == request_id))
        ).one_or_none()
        if job is None:
            raise HTTPException(404, f"no collection job for request {request_id}")
        calls = (
            await conn.execute(
                select(exchanges)
                .where(exchanges.c.request_id == request_id)
                .order_by(exchanges.c.seq)
            )
        ).all()
    fields = {k: v for k, v in job._asdict().items() if k in JobOut.model_fields}
    return JobOut(
        **fields,
        exchanges=[ExchangeOut.model_validate(c._asdict()) for c in calls],
    )

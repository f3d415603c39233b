"""Collector's REST API: what a collection job did, down to its raw responses."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel
from sqlalchemy import select

from fairmarket.collector.db import exchanges, jobs
from fairmarket.collector.domain.imports import ImportRefused
from fairmarket.collector.imports import store_import
from fairmarket.common import comps_csv
from fairmarket.common.runtime import Runtime
from fairmarket.common.web import Staff, Viewer

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])
imports_router = APIRouter(prefix="/v1/imports", tags=["imports"])


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
    async with rt.reader.connect() as conn:
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


class ImportOut(BaseModel):
    rows: int
    items: dict[str, int]


@imports_router.post(
    "",
    status_code=201,
    response_model=ImportOut,
    openapi_extra={
        "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}
    },
)
async def import_comps(
    request: Request,
    principal: Staff,
    rt: Runtime,
    item_id: Annotated[
        uuid.UUID | None, Query(description="for files without an item_id column")
    ] = None,
) -> ImportOut:
    """A CSV of comps; every row is validated and a file with any bad row is refused whole."""
    size = int(request.headers.get("content-length") or 0)
    if size > comps_csv.MAX_BYTES:
        raise too_large()
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > comps_csv.MAX_BYTES:
            raise too_large()
    try:
        parsed = comps_csv.parse(bytes(body), item_id=item_id)
    except comps_csv.CsvTooLarge as exc:
        raise HTTPException(413, str(exc)) from exc
    if not parsed.ok:
        raise refused(parsed.errors)
    try:
        async with rt.units.begin() as uow:
            counts = await store_import(uow, parsed.rows, request.app.state.rates)
    except ImportRefused as exc:
        raise refused(exc.errors) from exc
    return ImportOut(rows=len(parsed.rows), items=counts)


def too_large() -> HTTPException:
    return HTTPException(413, f"the file is over {comps_csv.MAX_BYTES // (1024 * 1024)} MiB")


def refused(errors: list[str]) -> HTTPException:
    """A file with any bad row is refused whole, the first twenty problems named."""
    return HTTPException(
        422, f"{len(errors)} problems; nothing was imported: " + "; ".join(errors[:20])
    )

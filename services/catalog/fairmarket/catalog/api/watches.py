"""Watches: tell a downstream system (over a signed webhook) when a valuation moves."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select

from fairmarket.catalog.api.deps import Runtime
from fairmarket.catalog.db import deliveries, watches
from fairmarket.catalog.domain.watch_rules import Condition
from fairmarket.catalog.service import watches as watches_service
from fairmarket.common.events import Category
from fairmarket.common.inputs import WebUrl, text
from fairmarket.common.web import Admin

router = APIRouter(prefix="/v1/watches", tags=["watches"])

WatchQuery = text(200, min_length=1)


class WatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: uuid.UUID | None = None
    category: Category | None = None
    query: WatchQuery | None = None
    condition: Condition
    url: WebUrl

    @model_validator(mode="after")
    def _target(self) -> WatchIn:
        if self.item_id is not None and (self.category or self.query):
            raise ValueError("watch an item, or a filter (category, query), not both")
        return self


class WatchPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None
    url: WebUrl | None = None
    condition: Condition | None = None


class WatchOut(BaseModel):
    id: uuid.UUID
    item_id: uuid.UUID | None
    category: str | None
    query: str | None
    condition: dict[str, Any]
    url: str
    enabled: bool
    disabled_reason: str | None
    consecutive_failures: int
    created_by: str
    created_at: datetime


class WatchCreated(WatchOut):
    secret: str = Field(description="the HMAC key of this watch's signatures; shown only once")


class DeliveryOut(BaseModel):
    id: uuid.UUID
    item_id: uuid.UUID
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    payload: dict[str, Any]
    created_at: datetime
    next_attempt_at: datetime
    delivered_at: datetime | None


async def _row(rt: Runtime, watch_id: uuid.UUID) -> Any:
    return await watches_service.row(rt, watch_id)


@router.post("", status_code=201, response_model=WatchCreated)
async def create_watch(
    body: WatchIn, principal: Admin, rt: Runtime, request: Request
) -> WatchCreated:
    row = await watches_service.create(
        rt,
        principal,
        request.app.state.settings.webhook_allowed_hosts,
        item_id=body.item_id,
        category=body.category,
        query=body.query,
        condition=body.condition,
        url=body.url,
    )
    return WatchCreated.model_validate(row._asdict())


@router.get("", response_model=list[WatchOut])
async def list_watches(principal: Admin, rt: Runtime) -> list[WatchOut]:
    async with rt.reader.connect() as conn:
        rows = (await conn.execute(select(watches).order_by(watches.c.created_at))).all()
    return [WatchOut.model_validate(r._asdict()) for r in rows]


@router.get("/{watch_id}", response_model=WatchOut)
async def get_watch(watch_id: uuid.UUID, principal: Admin, rt: Runtime) -> WatchOut:
    return WatchOut.model_validate((await _row(rt, watch_id))._asdict())


@router.patch("/{watch_id}", response_model=WatchOut)
async def patch_watch(
    watch_id: uuid.UUID, body: WatchPatch, principal: Admin, rt: Runtime, request: Request
) -> WatchOut:
    changes = body.model_dump(exclude_unset=True, mode="json")
    allowed = request.app.state.settings.webhook_allowed_hosts
    row = await watches_service.change(rt, principal, allowed, watch_id, changes)
    return WatchOut.model_validate(row._asdict())


@router.delete("/{watch_id}", status_code=204)
async def delete_watch(watch_id: uuid.UUID, principal: Admin, rt: Runtime) -> None:
    await watches_service.remove(rt, principal, watch_id)


@router.get("/{watch_id}/deliveries", response_model=list[DeliveryOut])
async def list_deliveries(
    watch_id: uuid.UUID,
    principal: Admin,
    rt: Runtime,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryOut]:
    await _row(rt, watch_id)
    async with rt.reader.connect() as conn:
        rows = (
            await conn.execute(
                select(deliveries)
                .where(deliveries.c.watch_id == watch_id)
                .order_by(deliveries.c.created_at.desc(), deliveries.c.id)
                .limit(limit)
            )
        ).all()
    return [DeliveryOut.model_validate(r._asdict()) for r in rows]

"""Watches: tell a downstream system (over a signed webhook) when a valuation moves."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import delete, select, update

from fairmarket.catalog.api.deps import Runtime
from fairmarket.catalog.db import deliveries, watch_states, watches
from fairmarket.catalog.domain.watch_rules import Condition
from fairmarket.common.events import Category
from fairmarket.common.inputs import WebUrl, text
from fairmarket.common.netguard import UnsafeUrl, check_url
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


async def _safe(url: str, request: Request) -> None:
    allowed = request.app.state.settings.webhook_allowed_hosts
    try:
        await check_url(url, allowed)
    except UnsafeUrl as exc:
        raise HTTPException(422, str(exc)) from exc


async def _row(rt: Runtime, watch_id: uuid.UUID) -> Any:
    async with rt.reader.connect() as conn:
        row = (await conn.execute(select(watches).where(watches.c.id == watch_id))).one_or_none()
    if row is None:
        raise HTTPException(404, f"watch {watch_id} not found")
    return row


@router.post("", status_code=201, response_model=WatchCreated)
async def create_watch(
    body: WatchIn, principal: Admin, rt: Runtime, request: Request
) -> WatchCreated:
    await _safe(body.url, request)
    secret = "whsec_" + secrets.token_urlsafe(32)
    async with rt.engine.begin() as conn:
        row = (
            await conn.execute(
                watches.insert()
                .values(
                    id=uuid.uuid4(),
                    item_id=body.item_id,
                    category=body.category,
                    query=body.query,
                    condition=body.condition.model_dump(mode="json"),
                    url=body.url,
                    secret=secret,
                    created_by=principal.subject,
                )
                .returning(watches)
            )
        ).one()
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
    await _row(rt, watch_id)
    changes = body.model_dump(exclude_unset=True, mode="json")
    if body.url is not None:
        await _safe(body.url, request)
    if body.enabled:  # enabling again clears the failure streak that disabled it
        changes |= {"consecutive_failures": 0, "disabled_reason": None}
    if changes:
        async with rt.engine.begin() as conn:
            await conn.execute(update(watches).where(watches.c.id == watch_id).values(**changes))
    return WatchOut.model_validate((await _row(rt, watch_id))._asdict())


@router.delete("/{watch_id}", status_code=204)
async def delete_watch(watch_id: uuid.UUID, principal: Admin, rt: Runtime) -> None:
    await _row(rt, watch_id)
    async with rt.engine.begin() as conn:
        await conn.execute(delete(watch_states).where(watch_states.c.watch_id == watch_id))
        await conn.execute(delete(watches).where(watches.c.id == watch_id))


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

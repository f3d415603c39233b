"""The registry of marketplaces the catalog asks for comps."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from fairmarket.catalog.api.deps import Runtime
from fairmarket.catalog.db import sources
from fairmarket.common.web import Viewer

router = APIRouter(prefix="/v1/sources", tags=["sources"])


class SourceOut(BaseModel):
    id: uuid.UUID
    name: str
    adapter: str
    enabled: bool
    categories: list[str]
    reputation: float
    cadence_hours: int
    rate_limit_per_minute: int
    rules: dict[str, Any]


@router.get("", response_model=list[SourceOut])
async def list_sources(principal: Viewer, rt: Runtime) -> list[SourceOut]:
    async with rt.engine.connect() as conn:
        rows = (await conn.execute(select(sources).order_by(sources.c.name))).all()
    return [SourceOut.model_validate(r._asdict()) for r in rows]

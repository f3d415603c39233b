"""The registry of marketplaces the catalog asks for comps, and their rules."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select

from fairmarket.catalog.api.deps import Runtime
from fairmarket.catalog.db import sources
from fairmarket.catalog.service import sources as sources_service
from fairmarket.catalog.service.rows import by_id
from fairmarket.common.events import SourceRules
from fairmarket.common.inputs import storable_tree
from fairmarket.common.web import Admin, Viewer

router = APIRouter(prefix="/v1/sources", tags=["sources"])

Adapter = Literal["ebay", "discogs", "tcgplayer", "shopify", "woocommerce", "manual"]
CategoryName = Literal["coin", "card", "record", "product"]
Name = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9_.-]*$")]


class SourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    adapter: Adapter
    enabled: bool = True
    categories: list[CategoryName] = Field(
        default_factory=lambda: ["coin", "card", "record", "product"]
    )
    reputation: float = Field(default=1.0, ge=0, le=10)
    cadence_hours: int = Field(default=168, ge=1, le=24 * 365)
    rate_limit_per_minute: int = Field(default=60, ge=1, le=100_000)
    rules: SourceRules = Field(default_factory=SourceRules)

    @field_validator("rules")
    @classmethod
    def _storable(cls, rules: SourceRules) -> SourceRules:
        storable_tree(rules.model_dump(mode="json"))  # keywords become JSONB: no NUL
        return rules


class SourcePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None
    categories: list[CategoryName] | None = None
    reputation: float | None = Field(default=None, ge=0, le=10)
    cadence_hours: int | None = Field(default=None, ge=1, le=24 * 365)
    rate_limit_per_minute: int | None = Field(default=None, ge=1, le=100_000)
    rules: SourceRules | None = None

    @field_validator("rules")
    @classmethod
    def _storable(cls, rules: SourceRules | None) -> SourceRules | None:
        storable_tree(rules.model_dump(mode="json") if rules else None)
        return rules


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


def _out(row: Any) -> SourceOut:
    return SourceOut.model_validate(row._asdict())


@router.get("", response_model=list[SourceOut])
async def list_sources(principal: Viewer, rt: Runtime) -> list[SourceOut]:
    async with rt.reader.connect() as conn:
        rows = (await conn.execute(select(sources).order_by(sources.c.name))).all()
    return [_out(r) for r in rows]


@router.get("/{source_id}", response_model=SourceOut)
async def get_source(source_id: uuid.UUID, principal: Viewer, rt: Runtime) -> SourceOut:
    async with rt.reader.connect() as conn:
        return _out(await by_id(conn, sources, source_id, "source"))


@router.post("", status_code=201, response_model=SourceOut)
async def create_source(body: SourceIn, principal: Admin, rt: Runtime) -> SourceOut:
    return _out(await sources_service.create(rt, principal, body.model_dump(mode="json")))


@router.patch("/{source_id}", response_model=SourceOut)
async def patch_source(
    source_id: uuid.UUID, body: SourcePatch, principal: Admin, rt: Runtime
) -> SourceOut:
    changes = body.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    return _out(await sources_service.change(rt, principal, source_id, changes))


@router.delete("/{source_id}", status_code=204)
async def delete_source(source_id: uuid.UUID, principal: Admin, rt: Runtime) -> Response:
    await sources_service.remove(rt, principal, source_id)
    return Response(status_code=204)


class RepriceOut(BaseModel):
    source: str
    items: int = Field(description="items the source serves; the scheduler re-prices them")


@router.post("/{source_id}/reprice", status_code=202, response_model=RepriceOut)
async def reprice_source(source_id: uuid.UUID, principal: Admin, rt: Runtime) -> RepriceOut:
    """After a change of weight or rules: every item the source serves is re-priced, in the
    scheduler's bounded batches, rather than all at once."""
    name, served = await sources_service.reprice(rt, principal, source_id)
    return RepriceOut(source=name, items=served)

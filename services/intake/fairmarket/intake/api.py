"""Intake's REST API: take items in and attribute them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select, update

from fairmarket.common.events import Attribution, Category
from fairmarket.common.inputs import text
from fairmarket.common.runtime import Runtime, ServiceRuntime
from fairmarket.common.web import Staff, Viewer
from fairmarket.intake.db import attributions, intakes, photos
from fairmarket.intake.domain.attribution import (
    Revision,
    attributed,
    category_mismatch,
    next_revision,
    storable_attribution,
)

router = APIRouter(prefix="/v1/intakes", tags=["intakes"])

Title = text(500)


class IntakeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: Category
    title: Title | None = None
    attribution: Attribution = Field(
        description="its `category` may be left out: the intake's category decides it"
    )

    @model_validator(mode="before")
    @classmethod
    def _attribution_category(cls, data: Any) -> Any:
        """The natural body names the category once, on the intake."""
        if isinstance(data, dict):
            attribution = data.get("attribution")
            if isinstance(attribution, dict) and "category" not in attribution:
                return {**data, "attribution": {**attribution, "category": data.get("category")}}
        return data

    @model_validator(mode="after")
    def _same_category(self) -> IntakeCreate:
        storable_attribution(self.attribution)
        if reason := category_mismatch(self.attribution, self.category):
            raise ValueError(reason)
        return self


class AttributionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    attribution: Attribution
    title: Title | None = None

    @model_validator(mode="after")
    def _storable(self) -> AttributionUpdate:
        storable_attribution(self.attribution)
        return self


class IntakeOut(BaseModel):
    id: uuid.UUID
    category: Category
    title: str | None
    revision: int
    attribution: dict[str, Any]
    created_by: str
    created_at: datetime
    updated_at: datetime


async def _load(rt: ServiceRuntime, item_id: uuid.UUID) -> IntakeOut:
    async with rt.reader.connect() as conn:
        row = (
            await conn.execute(
                select(intakes, attributions.c.attribution)
                .join(
                    attributions,
                    (attributions.c.item_id == intakes.c.id)
                    & (attributions.c.revision == intakes.c.revision),
                )
                .where(intakes.c.id == item_id)
            )
        ).one_or_none()
    if row is None:
        raise HTTPException(404, f"intake {item_id} not found")
    return IntakeOut.model_validate(row._asdict())


@router.post("", status_code=201, response_model=IntakeOut)
async def create_intake(body: IntakeCreate, principal: Staff, rt: Runtime) -> IntakeOut:
    item_id = uuid.uuid4()
    first = Revision(1, body.title)
    attribution = body.attribution.model_dump(mode="json")
    async with rt.units.begin() as uow:
        created = (
            await uow.conn.execute(
                intakes.insert()
                .values(
                    id=item_id,
                    category=body.category,
                    title=first.title,
                    revision=first.number,
                    created_by=principal.subject,
                )
                .returning(intakes)  # the answer, without reading it back afterwards
            )
        ).one()
        await uow.conn.execute(
            attributions.insert().values(
                item_id=item_id,
                revision=first.number,
                attribution=attribution,
                title=first.title,
                reason="created",
                created_by=principal.subject,
            )
        )
        uow.raise_events([attributed(item_id, first, body.category, body.attribution, "created")])
    return IntakeOut.model_validate({**created._asdict(), "attribution": attribution})


@router.put("/{item_id}/attribution", response_model=IntakeOut)
async def set_attribution(
    item_id: uuid.UUID, body: AttributionUpdate, principal: Staff, rt: Runtime
) -> IntakeOut:
    async with rt.units.begin() as uow:
        current = (
            await uow.conn.execute(
                select(intakes.c.category, intakes.c.revision, intakes.c.title)
                .where(intakes.c.id == item_id)
                .with_for_update()
            )
        ).one_or_none()
        if current is None:
            raise HTTPException(404, f"intake {item_id} not found")
        if reason := category_mismatch(body.attribution, current.category):
            raise HTTPException(422, reason)
        revision = next_revision(current.revision, current.title, body.title)
        await uow.conn.execute(
            attributions.insert().values(
                item_id=item_id,
                revision=revision.number,
                attribution=body.attribution.model_dump(mode="json"),
                title=revision.title,
                reason="changed",
                created_by=principal.subject,
            )
        )
        await uow.conn.execute(
            update(intakes)
            .where(intakes.c.id == item_id)
            .values(
                revision=revision.number,
                title=revision.title,
                updated_at=datetime.now().astimezone(),
            )
        )
        photo_ids = await uow.conn.scalars(
            select(photos.c.id).where(photos.c.item_id == item_id).order_by(photos.c.created_at)
        )
        uow.raise_events(
            [
                attributed(
                    item_id,
                    revision,
                    current.category,
                    body.attribution,
                    "changed",
                    list(photo_ids),
                )
            ]
        )
    return await _load(rt, item_id)


@router.get("/{item_id}", response_model=IntakeOut)
async def get_intake(item_id: uuid.UUID, principal: Viewer, rt: Runtime) -> IntakeOut:
    return await _load(rt, item_id)

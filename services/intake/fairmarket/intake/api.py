"""Intake's REST API: take items in and attribute them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select, update

from fairmarket.common.events import Attribution, Category, IntakeAttributed, IntakeAttributedData
from fairmarket.common.inputs import BIGINT_MAX, storable_tree, text
from fairmarket.common.runtime import Runtime, ServiceRuntime
from fairmarket.common.web import Staff, Viewer
from fairmarket.intake.db import attributions, intakes, photos

router = APIRouter(prefix="/v1/intakes", tags=["intakes"])

Title = text(500)


def storable_attribution(attribution: Attribution) -> Attribution:
    """What every service downstream can store: no NUL in any text (PostgreSQL refuses it)
    and whole numbers within 64 bits (a Discogs release id of 10**30 broke the outbox)."""
    fields = attribution.model_dump(mode="json")
    storable_tree(fields)
    for name, value in fields.items():
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > BIGINT_MAX:
            raise ValueError(f"attribution.{name} is out of range")
    return attribution


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
        if self.attribution.category != self.category:
            raise ValueError(
                f"attribution is for a {self.attribution.category}, the intake is a {self.category}"
            )
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


def _event(
    item_id: uuid.UUID,
    revision: int,
    category: str,
    attribution: Attribution,
    title: str | None,
    reason: str,
    photo_refs: list[str] | None = None,
) -> IntakeAttributed:
    return IntakeAttributed(
        producer="intake",
        correlation_id=item_id,
        data=IntakeAttributedData(
            item_id=item_id,
            revision=revision,
            category=category,  # type: ignore[arg-type]
            attribution=attribution,
            title=title,
            photos=photo_refs or [],
            reason=reason,  # type: ignore[arg-type]
        ),
    )


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
    attribution = body.attribution.model_dump(mode="json")
    async with rt.engine.begin() as conn:
        created = (
            await conn.execute(
                intakes.insert()
                .values(
                    id=item_id,
                    category=body.category,
                    title=body.title,
                    revision=1,
                    created_by=principal.subject,
                )
                .returning(intakes)  # the answer, without reading it back afterwards
            )
        ).one()
        await conn.execute(
            attributions.insert().values(
                item_id=item_id,
                revision=1,
                attribution=attribution,
                title=body.title,
                reason="created",
                created_by=principal.subject,
            )
        )
        await rt.outbox.add(
            conn, [_event(item_id, 1, body.category, body.attribution, body.title, "created")]
        )
    rt.outbox.notify()
    return IntakeOut.model_validate({**created._asdict(), "attribution": attribution})


@router.put("/{item_id}/attribution", response_model=IntakeOut)
async def set_attribution(
    item_id: uuid.UUID, body: AttributionUpdate, principal: Staff, rt: Runtime
) -> IntakeOut:
    async with rt.engine.begin() as conn:
        current = (
            await conn.execute(
                select(intakes.c.category, intakes.c.revision, intakes.c.title)
                .where(intakes.c.id == item_id)
                .with_for_update()
            )
        ).one_or_none()
        if current is None:
            raise HTTPException(404, f"intake {item_id} not found")
        if body.attribution.category != current.category:
            raise HTTPException(
                422,
                f"attribution is for a {body.attribution.category}, the intake is a {current.category}",
            )
        revision = current.revision + 1
        title = body.title if body.title is not None else current.title
        await conn.execute(
            attributions.insert().values(
                item_id=item_id,
                revision=revision,
                attribution=body.attribution.model_dump(mode="json"),
                title=title,
                reason="changed",
                created_by=principal.subject,
            )
        )
        await conn.execute(
            update(intakes)
            .where(intakes.c.id == item_id)
            .values(revision=revision, title=title, updated_at=datetime.now().astimezone())
        )
        refs = [
            f"/v1/intakes/{item_id}/photos/{photo_id}"
            for photo_id in (
                await conn.scalars(
                    select(photos.c.id)
                    .where(photos.c.item_id == item_id)
                    .order_by(photos.c.created_at)
                )
            )
        ]
        event = _event(
            item_id, revision, current.category, body.attribution, title, "changed", refs[:50]
        )
        await rt.outbox.add(conn, [event])
    rt.outbox.notify()
    return await _load(rt, item_id)


@router.get("/{item_id}", response_model=IntakeOut)
async def get_intake(item_id: uuid.UUID, principal: Viewer, rt: Runtime) -> IntakeOut:
    return await _load(rt, item_id)

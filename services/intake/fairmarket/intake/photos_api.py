"""Item photos: uploaded as the raw image body, accepted by what the bytes are."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from fairmarket.common.runtime import Runtime
from fairmarket.common.web import Staff, Viewer
from fairmarket.intake.db import intakes, photos
from fairmarket.intake.domain.photos import PhotoRejected, Rejection, check_photo, photo_url

router = APIRouter(prefix="/v1/intakes", tags=["photos"])
UPLOAD_PATH = r"/v1/intakes/[^/]+/photos"  # where BodyLimit allows a photo's size
REJECTED_STATUS: dict[Rejection, int] = {"too_large": 413, "mislabelled": 415, "not_a_photo": 422}


class PhotoOut(BaseModel):
    id: uuid.UUID
    item_id: uuid.UUID
    sha256: str
    content_type: str
    size: int
    url: str
    created_at: datetime


@router.post(
    "/{item_id}/photos",
    status_code=201,
    response_model=PhotoOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"image/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def upload_photo(
    item_id: uuid.UUID, request: Request, principal: Staff, rt: Runtime
) -> PhotoOut:
    """The request body is the image itself (JPEG, PNG, GIF, WebP or HEIC); the same photo
    uploaded twice is stored once."""
    data = await request.body()
    try:
        media_type = check_photo(
            data, request.headers.get("content-type"), request.app.state.settings.photo_max_bytes
        )
    except PhotoRejected as exc:
        raise HTTPException(REJECTED_STATUS[exc.kind], str(exc)) from exc
    digest = hashlib.sha256(data).hexdigest()
    async with rt.units.begin() as uow:
        conn = uow.conn
        if await conn.scalar(select(intakes.c.id).where(intakes.c.id == item_id)) is None:
            raise HTTPException(404, f"intake {item_id} not found")
        stmt = insert(photos).values(
            id=uuid.uuid4(),
            item_id=item_id,
            sha256=digest,
            content_type=media_type,
            size=len(data),
            body=data,
            created_by=principal.subject,
        )
        await conn.execute(stmt.on_conflict_do_nothing(constraint="uq_photos_item_sha256"))
        row = (
            await conn.execute(
                select(photos.c.id, photos.c.created_at).where(
                    photos.c.item_id == item_id, photos.c.sha256 == digest
                )
            )
        ).one()
    return PhotoOut(
        id=row.id,
        item_id=item_id,
        sha256=digest,
        content_type=media_type,
        size=len(data),
        url=photo_url(item_id, row.id),
        created_at=row.created_at,
    )


@router.get("/{item_id}/photos", response_model=list[PhotoOut])
async def list_photos(item_id: uuid.UUID, principal: Viewer, rt: Runtime) -> list[PhotoOut]:
    """The item's photos, oldest first, each with the URL that serves its bytes."""
    async with rt.reader.connect() as conn:
        if await conn.scalar(select(intakes.c.id).where(intakes.c.id == item_id)) is None:
            raise HTTPException(404, f"intake {item_id} not found")
        rows = (
            await conn.execute(
                select(
                    photos.c.id,
                    photos.c.sha256,
                    photos.c.content_type,
                    photos.c.size,
                    photos.c.created_at,
                )
                .where(photos.c.item_id == item_id)
                .order_by(photos.c.created_at, photos.c.id)
            )
        ).all()
    return [PhotoOut(**r._asdict(), item_id=item_id, url=photo_url(item_id, r.id)) for r in rows]


@router.get(
    "/{item_id}/photos/{photo_id}",
    response_class=Response,
    responses={200: {"content": {"image/*": {}}}},
)
async def get_photo(
    item_id: uuid.UUID, photo_id: uuid.UUID, principal: Viewer, rt: Runtime
) -> Response:
    async with rt.reader.connect() as conn:
        row = (
            await conn.execute(
                select(photos.c.body, photos.c.content_type).where(
                    photos.c.id == photo_id, photos.c.item_id == item_id
                )
            )
        ).one_or_none()
    if row is None:
        raise HTTPException(404, f"photo {photo_id} of intake {item_id} not found")
    return Response(
        row.body,
        media_type=row.content_type,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=86400"},
    )

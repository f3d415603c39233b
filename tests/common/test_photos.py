"""Item photos are judged by their bytes: type by content, size bounded, duplicates once."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from fairmarket.intake.db import photos
from fairmarket.intake.domain.photos import PhotoRejected, check_photo, sniff

# a real 1x1 PNG and the first bytes of a real JPEG (JFIF) file
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
JPEG = bytes.fromhex("ffd8ffe000104a46494600010101004800480000ffdb004300") + b"\x08" * 64


def test_types_come_from_the_bytes() -> None:
    assert sniff(PNG) == "image/png" and sniff(JPEG) == "image/jpeg"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 32) == "image/webp"
    assert sniff(b"<html><script>alert(1)</script></html>" * 2) is None


@pytest.mark.parametrize(
    ("data", "declared", "reason", "kind"),
    [
        (b"<html>" + b"x" * 100, "image/jpeg", "not a JPEG, PNG", "not_a_photo"),  # named .jpg
        (JPEG, "image/png", "says image/png but its content is image/jpeg", "mislabelled"),
        (PNG + b"\x00" * 5000, None, "limit is 4,096", "too_large"),
        (b"\xff\xd8\xff", "image/jpeg", "too small", "not_a_photo"),
    ],
)
def test_refused_with_the_reason(data: bytes, declared: str | None, reason: str, kind: str) -> None:
    with pytest.raises(PhotoRejected, match=reason) as refused:
        check_photo(data, declared, max_bytes=4096)
    assert refused.value.kind == kind  # which the API answers with 413, 415 or 422


async def _stored_photos(db_url: str, item: str) -> list[tuple[str, int]]:
    """What the intake's database holds for the item: (content type, size) per photo."""
    engine = create_async_engine(db_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(photos.c.content_type, photos.c.size).where(photos.c.item_id == item)
            )
            return [tuple(r) for r in rows]
    finally:
        await engine.dispose()


@pytest.mark.integration
async def test_upload_read_back_and_refusals(
    service_app: Any, bearer: Any, migrated_db: str
) -> None:
    intake = await service_app("intake")
    body = {"category": "coin", "attribution": {"category": "coin", "year": 1921}}
    item = (await intake.post("/v1/intakes", json=body, headers=bearer("staff"))).json()["id"]
    up = await intake.post(
        f"/v1/intakes/{item}/photos",
        content=PNG,
        headers={**bearer("staff"), "content-type": "image/png"},
    )
    assert up.status_code == 201, up.text
    photo = up.json()
    assert photo["content_type"] == "image/png" and photo["size"] == len(PNG)
    again = await intake.post(
        f"/v1/intakes/{item}/photos", content=PNG, headers={**bearer("staff")}
    )
    assert again.json()["id"] == photo["id"]  # the same photo is stored once
    got = await intake.get(photo["url"], headers=bearer("viewer"))
    assert got.content == PNG and got.headers["content-type"] == "image/png"
    assert got.headers["x-content-type-options"] == "nosniff"
    listed = await intake.get(f"/v1/intakes/{item}/photos", headers=bearer("viewer"))
    assert listed.status_code == 200, listed.text
    assert [(p["id"], p["url"], p["size"]) for p in listed.json()] == [
        (photo["id"], photo["url"], len(PNG))
    ]

    fake = await intake.post(
        f"/v1/intakes/{item}/photos",
        content=b"<?php system($_GET['c']); ?>" * 4,
        headers={**bearer("staff"), "content-type": "image/jpeg"},
    )
    assert fake.status_code == 422 and "not a JPEG" in fake.json()["reason"]
    lying = await intake.post(
        f"/v1/intakes/{item}/photos",
        content=JPEG,
        headers={**bearer("staff"), "content-type": "image/png"},
    )
    assert lying.status_code == 415
    huge = await intake.post(
        f"/v1/intakes/{item}/photos",
        content=JPEG + b"\x00" * (11 * 1024 * 1024),
        headers={**bearer("staff"), "content-type": "image/jpeg"},
    )
    assert huge.status_code == 413
    # refused uploads stored nothing: the one photo accepted above is all the item has
    assert await _stored_photos(migrated_db, item) == [("image/png", len(PNG))]
    missing = await intake.post(
        "/v1/intakes/00000000-0000-0000-0000-000000000000/photos",
        content=PNG,
        headers=bearer("staff"),
    )
    assert missing.status_code == 404
    nobody = await intake.get(
        "/v1/intakes/00000000-0000-0000-0000-000000000000/photos", headers=bearer("viewer")
    )
    assert nobody.status_code == 404 and "not found" in nobody.json()["reason"]

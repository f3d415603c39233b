"""Intake's routes write their `intake.attributed` through the unit of work: each accepted
take-in or attribution leaves its event in the outbox, a refused one leaves none."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from fairmarket.intake.db import outbox

pytestmark = pytest.mark.integration

PNG = bytes.fromhex("89504e470d0a1a0a") + b"\x00" * 64


async def events_of(db_url: str, item: str) -> list[dict[str, Any]]:
    """The item's events in the intake's outbox, oldest first (sent or not)."""
    engine = create_async_engine(db_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(outbox.c.topic, outbox.c.payload)
                .where(outbox.c.key == item)
                .order_by(outbox.c.id)
            )
            return [{"topic": r.topic, **json.loads(r.payload)} for r in rows]
    finally:
        await engine.dispose()


async def test_take_in_and_reattribution_each_raise_their_event(
    service_app: Any, bearer: Any, migrated_db: str
) -> None:
    intake = await service_app("intake")
    staff = bearer("staff")
    body = {"category": "coin", "title": "Morgan", "attribution": {"year": 1921}}
    item = (await intake.post("/v1/intakes", json=body, headers=staff)).json()["id"]
    photo = await intake.post(
        f"/v1/intakes/{item}/photos", content=PNG, headers={**staff, "content-type": "image/png"}
    )
    assert photo.status_code == 201, photo.text
    refused = await intake.put(
        f"/v1/intakes/{item}/attribution",
        json={"attribution": {"category": "card", "name": "Charizard"}},
        headers=staff,
    )
    assert refused.status_code == 422
    changed = await intake.put(
        f"/v1/intakes/{item}/attribution",
        json={"attribution": {"category": "coin", "year": 1921, "grade": "MS63"}},
        headers=staff,
    )
    assert changed.status_code == 200, changed.text

    events = await events_of(migrated_db, item)
    assert [e["topic"] for e in events] == ["intake.attributed"] * 2  # the refusal raised none
    created, reattributed = (e["data"] for e in events)
    assert (created["revision"], created["reason"], created["photos"]) == (1, "created", [])
    assert (reattributed["revision"], reattributed["reason"]) == (2, "changed")
    assert reattributed["title"] == "Morgan"  # kept: the new attribution named no title
    assert reattributed["attribution"]["grade"] == "MS63"
    assert reattributed["photos"] == [photo.json()["url"]]

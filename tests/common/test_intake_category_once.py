"""POST /v1/intakes takes the attribution without its category repeated: the intake's
category decides it; a contradicting one is still refused with the reason."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.integration


async def test_the_natural_body_is_taken_in(service_app: Any, bearer: Any) -> None:
    intake = await service_app("intake")
    body = {"category": "coin", "title": "1921-D Morgan", "attribution": {"year": 1921}}
    created = await intake.post("/v1/intakes", json=body, headers=bearer("staff"))
    assert created.status_code == 201, created.text
    assert created.json()["attribution"] == {
        "category": "coin",
        "year": 1921,
        "mintmark": None,
        "denomination": None,
        "variety": None,
        "grade": None,
    }
    # a record's fields on a record intake: the category decides which fields there are
    record = {"category": "record", "attribution": {"artist": "Pink Floyd", "media_grade": "VG+"}}
    assert (await intake.post("/v1/intakes", json=record, headers=bearer("staff"))).json()[
        "attribution"
    ]["artist"] == "Pink Floyd"


async def test_a_contradicting_category_is_still_refused(service_app: Any, bearer: Any) -> None:
    intake = await service_app("intake")
    body = {"category": "coin", "attribution": {"category": "card", "name": "Charizard"}}
    refused = await intake.post("/v1/intakes", json=body, headers=bearer("staff"))
    assert refused.status_code == 422
    assert "attribution is for a card, the intake is a coin" in refused.json()["reason"]
    unknown = {"category": "stamp", "attribution": {"year": 1900}}
    assert (
        await intake.post("/v1/intakes", json=unknown, headers=bearer("staff"))
    ).status_code == 422

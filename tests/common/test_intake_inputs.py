"""Intake refuses what no service downstream could store: NUL bytes, integers over 64 bits."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "body",
    [
        {"category": "coin", "title": "a\x00b", "attribution": {"category": "coin"}},
        {"category": "coin", "attribution": {"category": "coin", "grade": "MS\x0063"}},
        {"category": "record", "attribution": {"category": "record", "discogs_release_id": 10**30}},
        {"category": "card", "attribution": {"category": "card", "name": "\ud800"}},
    ],
)
async def test_an_intake_no_consumer_could_store_is_a_422(
    service_app: Any, bearer: Any, body: dict[str, Any]
) -> None:
    intake = await service_app("intake")
    r = await intake.post(  # json.dumps escapes the lone surrogate, as a client may send it
        "/v1/intakes",
        content=json.dumps(body),
        headers={**bearer("staff"), "content-type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid" and r.json()["reason"]


async def test_a_new_attribution_with_a_nul_is_a_422_and_the_item_is_unchanged(
    service_app: Any, bearer: Any
) -> None:
    intake = await service_app("intake")
    created = await intake.post(
        "/v1/intakes",
        json={"category": "coin", "title": "Morgan", "attribution": {"category": "coin"}},
        headers=bearer("staff"),
    )
    item = created.json()["id"]
    r = await intake.put(
        f"/v1/intakes/{item}/attribution",
        json={"attribution": {"category": "coin", "variety": "VAM\x00"}},
        headers=bearer("staff"),
    )
    assert r.status_code == 422
    assert (await intake.get(f"/v1/intakes/{item}", headers=bearer("viewer"))).json()[
        "revision"
    ] == 1

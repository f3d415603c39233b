"""Admins manage the source registry through the catalog API."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.integration


async def test_the_registry_starts_with_ebay_and_admins_manage_it(
    service_app: Any, bearer: Any
) -> None:
    catalog = await service_app("catalog")
    listed = await catalog.get("/v1/sources", headers=bearer("viewer"))
    assert listed.status_code == 200
    assert [s["name"] for s in listed.json()] == ["ebay"]

    body = {
        "name": "discogs",
        "adapter": "discogs",
        "categories": ["record"],
        "reputation": 0.8,
        "rules": {"exclude_keywords": ["cd", "cassette"], "lookback_days": 180},
    }
    assert (
        await catalog.post("/v1/sources", json=body, headers=bearer("staff"))
    ).status_code == 403
    created = await catalog.post("/v1/sources", json=body, headers=bearer("admin"))
    assert created.status_code == 201, created.text
    source = created.json()
    assert source["rules"]["exclude_keywords"] == ["cd", "cassette"]

    again = await catalog.post("/v1/sources", json=body, headers=bearer("admin"))
    assert again.status_code == 409 and "discogs" in again.json()["reason"]

    patched = await catalog.patch(
        f"/v1/sources/{source['id']}", json={"enabled": False}, headers=bearer("admin")
    )
    assert patched.status_code == 200 and patched.json()["enabled"] is False
    assert patched.json()["reputation"] == 0.8

    bad = await catalog.patch(
        f"/v1/sources/{source['id']}", json={"reputation": -1}, headers=bearer("admin")
    )
    assert bad.status_code == 422 and "reputation" in bad.json()["reason"]

    gone = await catalog.delete(f"/v1/sources/{source['id']}", headers=bearer("admin"))
    assert gone.status_code == 204
    missing = await catalog.get(f"/v1/sources/{source['id']}", headers=bearer("viewer"))
    assert missing.status_code == 404

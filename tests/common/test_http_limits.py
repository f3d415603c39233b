"""Request bodies are bounded (413 in the common shape, nothing stored) and CORS is closed."""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from fairmarket.intake.db import intakes


async def _intakes(db_url: str) -> int:
    engine = create_async_engine(db_url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(select(func.count()).select_from(intakes))).scalar_one()
    finally:
        await engine.dispose()


async def test_an_oversized_body_is_refused_before_any_handler(
    service_app, bearer, migrated_db
) -> None:
    client = await service_app("intake")
    huge = {
        "category": "coin",
        "title": "x" * (2 * 1024 * 1024),
        "attribution": {"category": "coin"},
    }
    before = await _intakes(migrated_db)
    r = await client.post("/v1/intakes", json=huge, headers=bearer("staff"))
    assert r.status_code == 413
    assert r.json()["error"] == "too_large" and "bytes" in r.json()["reason"]
    assert await _intakes(migrated_db) == before  # nothing stored


async def test_a_streamed_body_without_length_is_counted(service_app, bearer) -> None:
    client = await service_app("intake")

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b"x" * 64 * 1024  # 2.5 MiB in all, no Content-Length

    r = await client.post(
        "/v1/intakes",
        content=chunks(),
        headers={**bearer("staff"), "Content-Type": "application/json"},
    )
    assert r.status_code == 413


async def test_cors_is_closed_by_default(service_app, bearer) -> None:
    client = await service_app("catalog")
    r = await client.options(
        "/v1/items",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in r.headers
    r = await client.get(
        "/v1/items", headers={**bearer("viewer"), "Origin": "https://evil.example"}
    )
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


async def test_cors_opens_only_to_listed_origins(service_app, bearer) -> None:
    client = await service_app("catalog", FAIRMARKET_CORS_ORIGINS='["https://shop.example"]')
    ok = await client.get(
        "/v1/items", headers={**bearer("viewer"), "Origin": "https://shop.example"}
    )
    assert ok.headers.get("access-control-allow-origin") == "https://shop.example"
    other = await client.get(
        "/v1/items", headers={**bearer("viewer"), "Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers

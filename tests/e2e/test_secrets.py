"""Secrets never leak: after the stack has worked (the other e2e tests ran first), no
credential or signing key appears in any log, event, metric, error body or audit row."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy.engine import make_url

from fairmarket.cli.services import SERVICES
from fairmarket.cli.stack import sandbox_marketplaces
from fairmarket.common.messaging.topics import all_topics

pytestmark = pytest.mark.e2e


def secrets_of(stack: Any) -> dict[str, str]:
    env = sandbox_marketplaces(stack.urls["sandbox"])
    wanted = {
        "jwt secret": stack.jwt_secret,
        "eBay client secret": env["FAIRMARKET_EBAY_CLIENT_SECRET"],
        "Discogs token": env["FAIRMARKET_DISCOGS_TOKEN"],
        "TCGplayer private key": env["FAIRMARKET_TCGPLAYER_PRIVATE_KEY"],
    }
    return {k: v for k, v in wanted.items() if v}


async def every_record(bootstrap: str) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        *all_topics(),
        bootstrap_servers=bootstrap,
        group_id=f"secrets-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    out: list[bytes] = []
    try:
        idle = 0
        while idle < 5:
            batch = await consumer.getmany(timeout_ms=300)
            records = [r for rs in batch.values() for r in rs]
            idle = 0 if records else idle + 1
            for r in records:
                out.append(
                    (r.value or b"")
                    + b"".join(k.encode() + (v or b"") for k, v in (r.headers or ()))
                )
    finally:
        await consumer.stop()
    return out


async def audit_rows(database_url: str) -> list[str]:
    """The collector's stored exchanges (URLs, parameters) and the catalog's deliveries."""
    url = make_url(database_url)
    conn = await asyncpg.connect(
        host=url.query.get("host") or url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        database=url.database,
    )
    try:
        rows = await conn.fetch("SELECT url, params::text AS p FROM collector.exchanges")
        rows += await conn.fetch("SELECT request::text AS url, error AS p FROM collector.jobs")
        rows += await conn.fetch(
            "SELECT payload::text AS url, last_error AS p FROM catalog.deliveries"
        )
    finally:
        await conn.close()
    return [f"{r['url']} {r['p']}" for r in rows]


async def test_no_secret_in_logs_events_metrics_errors_or_audit(stack: Any) -> None:
    secrets = secrets_of(stack)
    places: dict[str, str] = {}
    for name in (*SERVICES, "sandbox"):
        places[f"{name} log"] = stack.log_path(name).read_text(errors="replace")
    async with httpx.AsyncClient(timeout=10) as client:
        for name in SERVICES:
            base = stack.urls[name]
            places[f"{name} /metrics"] = (await client.get(f"{base}/metrics")).text
            for value in secrets.values():  # a secret sent where a token goes is not echoed
                r = await client.get(f"{base}/v1/x", headers={"Authorization": f"Bearer {value}"})
                places[f"{name} error body"] = places.get(f"{name} error body", "") + r.text
    records = await every_record(stack.kafka_bootstrap)
    places["events"] = b"\n".join(records).decode(errors="replace")
    places["audit rows"] = "\n".join(await audit_rows(stack.database_url))
    assert len(records) > 10 and places["audit rows"]  # there was traffic to look through
    leaks = [
        f"{what} in {where}"
        for what, value in secrets.items()
        for where, text in places.items()
        if value in text
    ]
    print(
        f"\n{len(secrets)} secrets searched in {len(places)} places "
        f"({len(records)} events, {sum(len(t) for t in places.values()):,} characters): "
        f"{len(leaks)} found"
    )
    assert not leaks, leaks

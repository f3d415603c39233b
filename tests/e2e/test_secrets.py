"""Secrets never leak: after the stack has worked (an item priced and a watch's webhook
signed and delivered here, plus whatever the other e2e tests did first), no credential,
signing key or watch secret appears in any log, event, metric, error body, audit row or
stored raw response.

A watch's secret belongs in its creation answer and the catalog's watches table (and
the signature header is an HMAC made with it, not the secret): neither is searched.
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy.engine import make_url
from test_pipeline import COIN, headers, item_when, take_in, valued
from webhook_receiver import Receiver

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


async def connect(database_url: str) -> asyncpg.Connection:
    url = make_url(database_url)
    return await asyncpg.connect(
        host=url.query.get("host") or url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        database=url.database,
    )


async def watch_secrets(database_url: str) -> dict[str, str]:
    """Every watch's webhook secret: the one created here and any an earlier test made."""
    conn = await connect(database_url)
    try:
        rows = await conn.fetch("SELECT id, secret FROM catalog.watches ORDER BY created_at")
    finally:
        await conn.close()
    return {f"webhook secret of watch {r['id']}": r["secret"] for r in rows}


async def raw_artifacts(database_url: str) -> list[bytes]:
    """The collector's stored raw responses (what `collector replay` re-parses)."""
    conn = await connect(database_url)
    try:
        rows = await conn.fetch("SELECT body FROM collector.raw_artifacts")
    finally:
        await conn.close()
    return [bytes(r["body"]) for r in rows]


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
    conn = await connect(database_url)
    try:
        rows = await conn.fetch("SELECT url, params::text AS p FROM collector.exchanges")
        rows += await conn.fetch("SELECT request::text AS url, error AS p FROM collector.jobs")
        rows += await conn.fetch(
            "SELECT payload::text AS url, last_error AS p FROM catalog.deliveries"
        )
    finally:
        await conn.close()
    return [f"{r['url']} {r['p']}" for r in rows]


async def a_watch_fires(stack: Any, receiver: Receiver) -> str:
    """Create a watch, price a coin it matches, and wait for its signed webhook."""
    watch = {
        "category": "coin",
        "condition": {"kind": "confidence_above", "value": 0},
        "url": receiver.url,
    }
    async with httpx.AsyncClient(timeout=10) as client:
        r = await client.post(
            f"{stack.urls['catalog']}/v1/watches", json=watch, headers=headers(stack.admin_token)
        )
        assert r.status_code == 201, r.text
        receiver.secret = r.json()["secret"]
        assert receiver.secret.startswith("whsec_")
        await item_when(client, stack, await take_in(client, stack, COIN), valued())
    assert receiver.wait_for(1), "the watch sent no webhook"  # its signature was verified
    assert not receiver.refused
    return receiver.secret


async def test_no_secret_in_logs_events_metrics_errors_or_audit(
    stack: Any, receiver: Receiver
) -> None:
    secret = await a_watch_fires(stack, receiver)
    secrets = secrets_of(stack) | await watch_secrets(stack.database_url)
    assert secret in secrets.values()
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
    artifacts = await raw_artifacts(stack.database_url)
    places["raw artifacts"] = b"\n".join(artifacts).decode(errors="replace")
    # there was traffic to look through
    assert len(records) > 10 and places["audit rows"] and artifacts
    leaks = [
        f"{what} in {where}"
        for what, value in secrets.items()
        for where, text in places.items()
        if value in text
    ]
    characters = sum(len(t) for t in places.values())
    print(
        f"\n{len(secrets)} secrets searched in {len(places)} places ({len(records)} events, "
        f"{len(artifacts)} raw artifacts, {characters:,} characters): {len(leaks)} found"
    )
    assert not leaks, leaks

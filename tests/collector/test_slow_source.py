"""A marketplace that hangs holds back no other source: the collector calls marketplaces
outside any transaction and stores each request as soon as its own call ends."""

from __future__ import annotations

import asyncio
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from request_support import pricing_requested

from fairmarket.cli.stack import sandbox_marketplaces
from fairmarket.common.events import CoinAttribution, RecordAttribution

pytestmark = pytest.mark.integration

DEADLINE = 5.0


@pytest.fixture(scope="module")
def hanging_url() -> Iterator[str]:
    """Accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


async def job_of(client: Any, bearer: Any, request_id: uuid.UUID) -> dict[str, Any] | None:
    r = await client.get(f"/v1/jobs/{request_id}", headers=bearer("viewer"))
    return r.json() if r.status_code == 200 else None


async def test_a_hanging_marketplace_does_not_hold_back_another_source(
    service_app: Any,
    bearer: Any,
    kafka_bootstrap: str,
    sandbox: str,
    hanging_url: str,
) -> None:
    env = {
        **sandbox_marketplaces(sandbox),
        "FAIRMARKET_EBAY_BASE_URL": hanging_url,
        "FAIRMARKET_REQUEST_DEADLINE_SECONDS": str(DEADLINE),
        "FAIRMARKET_HTTP_TIMEOUT_SECONDS": "30",  # the deadline, not a call timeout, ends it
    }
    collector = await service_app("collector", **env)
    stuck = pricing_requested(CoinAttribution(year=1921, mintmark="D", grade="MS63"), "ebay")
    dark_side = RecordAttribution(
        artist="Pink Floyd", title="The Dark Side of the Moon", catalog_number="SHVL 804"
    )
    healthy = pricing_requested(dark_side, "discogs")
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:  # one send: both requests reach the collector in the same batch
        for event in (stuck, healthy):
            await producer.send(
                event.topic, event.model_dump_json().encode(), key=event.key.encode()
            )
        await producer.flush()
    finally:
        await producer.stop()

    async with asyncio.timeout(60):
        while (done := await job_of(collector, bearer, healthy.data.request_id)) is None:
            await asyncio.sleep(0.05)
        assert done["status"] == "ok" and done["collected"] > 0, done
        # stored while the other request still waits on the hanging marketplace
        assert await job_of(collector, bearer, stuck.data.request_id) is None
        while (failed := await job_of(collector, bearer, stuck.data.request_id)) is None:
            await asyncio.sleep(0.1)
    assert failed["status"] == "failed" and "deadline" in failed["error"], failed

"""Slow clients cannot hold a service's connections: headers and bodies have deadlines,
and no redirect echoes the Host header. Over real sockets against uvicorn running a
service's app with the protocol `fairmarket service` runs it with."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from fairmarket.cli.services import spec
from fairmarket.common.limits import guarded_protocol


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def served() -> AsyncIterator[str]:
    os.environ.setdefault("FAIRMARKET_JWT_SECRET", "slow-clients-" + "x" * 24)
    app = spec("catalog").create_app()
    port = _free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=1,  # a failing test's open sockets must not hang teardown
        http=guarded_protocol(header_timeout=1.0, body_timeout=1.0),
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        await asyncio.sleep(0.02)
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    await task


async def _open(address: str, first: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = address.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(first)
    await writer.drain()
    return reader, writer


async def _closed_within(reader: asyncio.StreamReader, seconds: float) -> bytes:
    """What the server sent before closing; fails if it kept the connection open."""
    return await asyncio.wait_for(reader.read(), timeout=seconds)


async def test_slow_headers_and_slow_bodies_are_cut_off(served: str) -> None:
    slow_headers = [
        await _open(served, b"GET /healthz HTTP/1.1\r\nHost: x\r\n") for _ in range(150)
    ]
    slow_bodies = [
        await _open(
            served,
            b"POST /v1/sources HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
            b"content-length: 1000\r\n\r\n{",
        )
        for _ in range(150)
    ]
    started = time.monotonic()
    answers = await asyncio.gather(
        *(_closed_within(reader, 8) for reader, _ in slow_headers + slow_bodies)
    )
    assert time.monotonic() - started < 8
    for answer in answers:
        assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
        assert b'"error":"timeout"' in answer.replace(b" ", b"")
    for _, writer in slow_headers + slow_bodies:
        writer.close()
    # the server still answers a client that is not slow
    async with httpx.AsyncClient(base_url=f"http://{served}") as client:
        assert (await client.get("/healthz")).status_code == 200


async def test_a_prompt_keep_alive_client_is_not_cut_off(served: str) -> None:
    async with httpx.AsyncClient(base_url=f"http://{served}") as client:
        for _ in range(3):
            assert (await client.get("/healthz")).status_code == 200
            await asyncio.sleep(0.6)  # idle between requests is the keep-alive's business


async def test_no_redirect_echoes_the_host_header(served: str) -> None:
    async with httpx.AsyncClient(base_url=f"http://{served}") as client:
        r = await client.get("/v1/sources/", headers={"Host": "evil.example"})
    assert r.status_code == 404
    assert "location" not in r.headers
    assert r.json()["error"] == "not_found"

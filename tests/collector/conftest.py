"""Fixtures for the collector's tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from marketplace_server import Marketplace, serve


@pytest.fixture
def marketplace() -> Iterator[Marketplace]:
    market = Marketplace()
    server = serve(market)
    try:
        yield market
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[str]:
    """The sandbox marketplace (real formats from bundled data) over real HTTP; its base URL."""
    import socket

    import uvicorn

    from fairmarket.sandbox.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)

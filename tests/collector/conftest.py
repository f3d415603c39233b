"""Fixtures for the collector's tests."""

from __future__ import annotations

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

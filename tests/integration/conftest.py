"""The messaging tests' throwaway service schema and broker, fresh for each test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from messaging_support import Harness


@pytest.fixture
async def harness(pg_url: str, kafka_bootstrap: str, unique: str) -> AsyncIterator[Harness]:
    h = Harness(pg_url, kafka_bootstrap, unique)
    await h.setup()
    yield h
    await h.close()

"""The catalog's property tests' database (accepted_inputs_support): a module's own event
loop, which hypothesis' synchronous examples drive, and a catalog engine on it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from fairmarket.common.db import make_engine


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def engine(migrated_db: str, loop: asyncio.AbstractEventLoop) -> Iterator[AsyncEngine]:
    engine = make_engine(migrated_db, schema="catalog", pool_size=1)
    yield engine
    loop.run_until_complete(engine.dispose())

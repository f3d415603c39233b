"""Async database work run from the synchronous Stack: a short-lived engine of one
connection, on a thread of its own so it works even under a running event loop (an async
test that holds a Stack)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from fairmarket.common.db import make_engine

T = TypeVar("T")


def run_on_database(database_url: str, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """`work(engine)` to completion, the engine disposed of after."""

    async def run() -> T:
        engine = make_engine(database_url, schema="public", pool_size=1)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()

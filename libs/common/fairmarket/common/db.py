"""Async SQLAlchemy engine and sessions, one schema per service."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import orjson
from sqlalchemy import ColumnElement, any_, literal, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine


def _json_dumps(value: object) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def make_engine(url: str, *, schema: str, pool_size: int = 10) -> AsyncEngine:
    """An engine whose connections resolve unqualified names in the service's schema.

    Tables are declared with an explicit schema anyway; the search_path only keeps
    ad-hoc SQL honest.
    """
    return create_async_engine(
        url,
        json_serializer=_json_dumps,  # JSONB columns: orjson is several times faster
        json_deserializer=orjson.loads,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={"server_settings": {"search_path": f"{schema},public"}},
    )


@asynccontextmanager
async def transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One unit of work: state changes, inbox claims and outbox rows commit together."""
    async with engine.begin() as conn:
        yield conn


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


def among(column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """`column = ANY(:array)`: one statement text whatever the number of values, where an
    IN list is a new statement for asyncpg to prepare at every length."""
    return column == any_(literal(list(values), type_=ARRAY(column.type)))

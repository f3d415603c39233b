"""Telling transient faults (retry, never dead-letter) from poison (dead-letter)."""

from __future__ import annotations

import asyncio

from aiokafka.errors import KafkaConnectionError, KafkaError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

_TRANSIENT_SQLSTATES = {
    "40001",
    "40P01",
    "57P01",
    "57P02",
    "57P03",
    "53300",
    "08000",
    "08003",
    "08006",
    "08001",
    "08004",
}


def is_transient(exc: BaseException) -> bool:
    """True when retrying the same input later can succeed: infrastructure, not data."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, OperationalError | InterfaceError):
            return True
        if isinstance(current, KafkaConnectionError | ConnectionError | TimeoutError):
            return True
        if isinstance(current, asyncio.TimeoutError | OSError):
            return True
        if isinstance(current, KafkaError) and getattr(current, "retriable", False):
            return True
        sqlstate = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if sqlstate and (sqlstate in _TRANSIENT_SQLSTATES or sqlstate.startswith("08")):
            return True
        current = current.__cause__ or current.__context__
    return False

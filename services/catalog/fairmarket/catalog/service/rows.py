"""One row by its id, or the HTTP error that names what is missing: the one wording of a
missing item, product, watch, source or pricing run across the API, console and services."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import HTTPException
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncConnection


async def by_id(
    conn: AsyncConnection,
    table: Table,
    key: uuid.UUID,
    what: str,
    *,
    lock: bool = False,
    status: int = 404,
) -> Any:
    """`lock`: held FOR UPDATE until the transaction ends. `status`: 422 where the id came in a
    body (a missing referenced row), not in the path."""
    query = select(table).where(table.c.id == key)
    row = (await conn.execute(query.with_for_update() if lock else query)).one_or_none()
    if row is None:
        raise HTTPException(status, f"{what} {key} not found")
    return row

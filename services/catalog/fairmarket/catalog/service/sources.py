"""Changing a source's weight, rules or cadence, and re-pricing everything it serves."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import HTTPException
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from fairmarket.catalog.db import items, sources
from fairmarket.common.auth import Principal, Role
from fairmarket.common.runtime import ServiceRuntime
from fairmarket.common.web import ensure_role


async def create(rt: ServiceRuntime, principal: Principal, values: dict[str, Any]) -> Any:
    """The new source's row; a name taken already is a 409."""
    ensure_role(principal, Role.admin)
    try:
        async with rt.units.begin() as uow:
            return (
                await uow.conn.execute(
                    sources.insert().values(id=uuid.uuid4(), **values).returning(sources)
                )
            ).one()
    except IntegrityError as exc:
        raise HTTPException(409, f"a source named {values['name']!r} exists already") from exc


async def remove(rt: ServiceRuntime, principal: Principal, source_id: uuid.UUID) -> None:
    ensure_role(principal, Role.admin)
    async with rt.units.begin() as uow:
        gone = (await uow.conn.execute(delete(sources).where(sources.c.id == source_id))).rowcount
    if not gone:
        raise HTTPException(404, f"source {source_id} not found")


async def change(
    rt: ServiceRuntime, principal: Principal, source_id: uuid.UUID, changes: dict[str, Any]
) -> Any:
    """The source's row after the (already validated) changes."""
    ensure_role(principal, Role.admin)
    async with rt.units.begin() as uow:
        query = update(sources).where(sources.c.id == source_id).returning(sources)
        if changes:
            query = query.values(**changes, updated_at=func.now())
        else:
            query = query.values(updated_at=sources.c.updated_at)
        row = (await uow.conn.execute(query)).one_or_none()
    if row is None:
        raise HTTPException(404, f"source {source_id} not found")
    return row


async def reprice(
    rt: ServiceRuntime, principal: Principal, source_id: uuid.UUID
) -> tuple[str, int]:
    """(the source's name, how many items it serves): the scheduler re-prices them in its
    bounded batches rather than all at once."""
    ensure_role(principal, Role.admin)
    async with rt.units.begin() as uow:
        row = (
            await uow.conn.execute(
                update(sources)
                .where(sources.c.id == source_id)
                .values(reprice_after=func.now())
                .returning(sources.c.name, sources.c.categories)
            )
        ).one_or_none()
        if row is None:
            raise HTTPException(404, f"source {source_id} not found")
        count = select(func.count()).select_from(items)
        if row.categories:
            count = count.where(items.c.category.in_(row.categories))
        served = await uow.conn.scalar(count)
    return row.name, int(served or 0)

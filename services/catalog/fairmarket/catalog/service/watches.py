"""Creating, changing and deleting a watch: the API and the console call these, so a
watch is checked (admin only, a webhook URL that is safe to call) in one place."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from fastapi import HTTPException
from sqlalchemy import delete, update

from fairmarket.catalog.db import watch_states, watches
from fairmarket.catalog.domain.watch_rules import Condition
from fairmarket.catalog.netguard import UnsafeUrl, check_url
from fairmarket.catalog.service.rows import by_id
from fairmarket.common.auth import Principal, Role
from fairmarket.common.runtime import ServiceRuntime
from fairmarket.common.web import ensure_role


async def ensure_safe(url: str, allowed_hosts: list[str]) -> None:
    """422 with the reason when the webhook URL points somewhere it must not (SSRF)."""
    try:
        await check_url(url, allowed_hosts)
    except UnsafeUrl as exc:
        raise HTTPException(422, str(exc)) from exc


async def row(rt: ServiceRuntime, watch_id: uuid.UUID) -> Any:
    async with rt.reader.connect() as conn:
        return await by_id(conn, watches, watch_id, "watch")


async def create(
    rt: ServiceRuntime,
    principal: Principal,
    allowed_hosts: list[str],
    *,
    item_id: uuid.UUID | None,
    category: str | None,
    query: str | None,
    condition: Condition,
    url: str,
) -> Any:
    """The new watch's row, with its signing secret (shown to the creator only once)."""
    ensure_role(principal, Role.admin)
    await ensure_safe(url, allowed_hosts)
    secret = "whsec_" + secrets.token_urlsafe(32)
    async with rt.units.begin() as uow:
        return (
            await uow.conn.execute(
                watches.insert()
                .values(
                    id=uuid.uuid4(),
                    item_id=item_id,
                    category=category,
                    query=query,
                    condition=condition.model_dump(mode="json"),
                    url=url,
                    secret=secret,
                    created_by=principal.subject,
                )
                .returning(watches)
            )
        ).one()


async def change(
    rt: ServiceRuntime,
    principal: Principal,
    allowed_hosts: list[str],
    watch_id: uuid.UUID,
    changes: dict[str, Any],
) -> Any:
    """The watch's row after the (already validated) changes."""
    ensure_role(principal, Role.admin)
    await row(rt, watch_id)
    if changes.get("url") is not None:
        await ensure_safe(changes["url"], allowed_hosts)
    if changes.get("enabled"):  # enabling again clears the failure streak that disabled it
        changes = {**changes, "consecutive_failures": 0, "disabled_reason": None}
    if changes:
        async with rt.units.begin() as uow:
            await uow.conn.execute(
                update(watches).where(watches.c.id == watch_id).values(**changes)
            )
    return await row(rt, watch_id)


async def remove(rt: ServiceRuntime, principal: Principal, watch_id: uuid.UUID) -> None:
    ensure_role(principal, Role.admin)
    await row(rt, watch_id)
    async with rt.units.begin() as uow:
        await uow.conn.execute(delete(watch_states).where(watch_states.c.watch_id == watch_id))
        await uow.conn.execute(delete(watches).where(watches.c.id == watch_id))

"""Idempotent consumption: claim event ids inside the handler's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.common.db import among


async def claim(
    conn: AsyncConnection,
    inbox: Table,
    consumer: str,
    events: Sequence[tuple[str, uuid.UUID]],
) -> set[uuid.UUID]:
    """Insert (consumer, event_id) rows; returns the ids that were not handled before."""
    if not events:
        return set()
    unique = dict((event_id, topic) for topic, event_id in events)
    # one cached statement, rows as parameters (insertmanyvalues): a multi-VALUES literal
    # would be compiled anew for every batch size, which costs more than the insert
    stmt = insert(inbox).on_conflict_do_nothing().returning(inbox.c.event_id)
    rows = [{"consumer": consumer, "event_id": e, "topic": t} for e, t in unique.items()]
    return set((await conn.execute(stmt, rows)).scalars())


async def handled(
    conn: AsyncConnection, inbox: Table, consumer: str, event_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """The ids already claimed: a read, for skipping slow work before the claim itself."""
    query = select(inbox.c.event_id).where(
        inbox.c.consumer == consumer, among(inbox.c.event_id, event_ids)
    )
    return set((await conn.execute(query)).scalars())

"""The unit of work writes the events raised with the state change, wakes the relay only
after that commit, and on an error keeps neither the change nor its events."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, select
from sqlalchemy.ext.asyncio import create_async_engine

from fairmarket.common.events import PricingCompleted, PricingCompletedData, SourceRef
from fairmarket.common.messaging.outbox import Outbox
from fairmarket.common.tables import add_messaging_tables
from fairmarket.common.uow import UnitsOfWork, by_kind


def completed() -> PricingCompleted:
    return PricingCompleted(
        producer="test",
        data=PricingCompletedData(
            request_id=uuid.uuid4(),
            run_id=uuid.uuid4(),
            item_id=uuid.uuid4(),
            revision=1,
            source=SourceRef(id=uuid.uuid4(), name="ebay", adapter="ebay"),
            status="ok",
            collected=0,
            filtered=0,
        ),
    )


class FakeOutbox:
    def __init__(self) -> None:
        self.added: list[Any] = []
        self.notified = 0
        self.committed_before_notify: list[bool] = []
        self.engine: FakeEngine | None = None

    async def add(self, conn: Any, events: Iterable[Any]) -> int:
        events = list(events)
        self.added.extend(events)
        return len(events)

    def notify(self) -> None:
        assert self.engine is not None
        self.committed_before_notify.append(self.engine.committed > 0)
        self.notified += 1


class FakeEngine:
    """engine.begin(): commits on a clean exit, rolls back on an error."""

    def __init__(self) -> None:
        self.committed = 0
        self.rolled_back = 0

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[object]:
        try:
            yield object()
        except BaseException:
            self.rolled_back += 1
            raise
        self.committed += 1


def units() -> tuple[UnitsOfWork, FakeEngine, FakeOutbox]:
    engine, outbox = FakeEngine(), FakeOutbox()
    outbox.engine = engine
    return UnitsOfWork(engine, outbox), engine, outbox  # type: ignore[arg-type]


@pytest.mark.unit
async def test_commit_writes_the_raised_events_then_wakes_the_relay() -> None:
    uow_factory, engine, outbox = units()
    events = [completed(), completed()]
    async with uow_factory.begin() as uow:
        uow.raise_events(events)
        assert outbox.added == []  # nothing written before the unit ends
    assert outbox.added == events
    assert engine.committed == 1
    assert outbox.notified == 1
    assert outbox.committed_before_notify == [True]


@pytest.mark.unit
async def test_an_error_rolls_back_and_neither_writes_nor_wakes() -> None:
    uow_factory, engine, outbox = units()
    with pytest.raises(RuntimeError, match="refused"):
        async with uow_factory.begin() as uow:
            uow.raise_events([completed()])
            raise RuntimeError("refused")
    assert (engine.committed, engine.rolled_back) == (0, 1)
    assert outbox.added == []
    assert outbox.notified == 0


@pytest.mark.unit
async def test_a_unit_without_events_does_not_wake_the_relay() -> None:
    uow_factory, engine, outbox = units()
    async with uow_factory.begin():
        pass
    assert engine.committed == 1
    assert outbox.notified == 0


@pytest.mark.unit
async def test_a_joined_unit_writes_into_the_callers_transaction_and_leaves_the_wakeup() -> None:
    uow_factory, _, outbox = units()
    event = completed()
    async with uow_factory.joined(object()) as uow:  # type: ignore[arg-type]
        uow.raise_events([event])
    assert outbox.added == [event]
    assert outbox.notified == 0  # the owner of the transaction wakes the relay after its commit


@pytest.mark.integration
async def test_with_postgres_state_and_events_commit_or_roll_back_together(pg_url: str) -> None:
    schema = f"uow_{uuid.uuid4().hex[:10]}"
    metadata = MetaData(schema=schema)
    outbox_table, _ = add_messaging_tables(metadata)
    notes = Table("notes", metadata, Column("n", Integer, primary_key=True))
    engine = create_async_engine(pg_url)
    try:
        async with engine.begin() as conn:
            await conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            await conn.run_sync(metadata.create_all)
        outbox = Outbox(outbox_table)
        uow_factory = UnitsOfWork(engine, outbox)
        kept = completed()
        async with uow_factory.begin() as uow:
            await uow.conn.execute(notes.insert(), {"n": 1})
            uow.raise_events([kept])
        assert outbox._wakeup.is_set()
        outbox._wakeup.clear()
        with pytest.raises(ValueError):
            async with uow_factory.begin() as uow:
                await uow.conn.execute(notes.insert(), {"n": 2})
                uow.raise_events([completed()])
                raise ValueError("bad input")
        assert not outbox._wakeup.is_set()
        async with engine.connect() as conn:
            assert (await conn.execute(select(notes.c.n))).scalars().all() == [1]
            rows = (await conn.execute(select(outbox_table.c.event_id))).scalars().all()
            assert rows == [kept.event_id]
            assert await conn.scalar(select(func.count()).select_from(outbox_table)) == 1
    finally:
        async with engine.begin() as conn:
            await conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await engine.dispose()


@pytest.mark.unit
async def test_a_table_sends_each_kind_to_its_handler_in_order_and_refuses_unknown_kinds() -> None:
    uow_factory, _, outbox = units()
    seen: list[tuple[str, int]] = []

    async def on_completed(events: list[Any], uow: Any) -> None:
        seen.append(("completed", len(events)))
        uow.raise_events(events[:1])

    async def on_int(events: list[Any], uow: Any) -> None:
        seen.append(("int", len(events)))

    handle = by_kind(uow_factory, {int: on_int, PricingCompleted: on_completed})
    first = completed()
    await handle(object(), [first, 7, completed(), 8])  # type: ignore[arg-type]
    assert seen == [("int", 2), ("completed", 2)]
    assert outbox.added == [first]  # raised events written before the batch commits
    with pytest.raises(TypeError, match="str"):
        await handle(object(), ["stray"])  # type: ignore[arg-type]

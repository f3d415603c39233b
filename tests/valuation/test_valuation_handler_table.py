"""The valuation's consumer, without a database: each kind goes to its store, every kind
is stored before the touched items are valued once, and an unknown kind is refused."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from fairmarket.common.events import (
    PricePointCollected,
    PricePointCollectedData,
    PricePointFlagged,
    PricePointFlaggedData,
    PricingCompleted,
    PricingCompletedData,
    SourceRef,
    ValuationComputed,
    ValuationComputedData,
)
from fairmarket.common.uow import UnitsOfWork
from fairmarket.valuation import consumers, topics
from fairmarket.valuation.bootstrap import consumer_handler, handler_table
from fairmarket.valuation.domain.touched import touched_items
from fairmarket.valuation.revalue import LATEST_REQUESTS
from fairmarket.valuation.store import INSERT_COMPLETIONS, LINK_COMPS, UPSERT_COMPS, UPSERT_FLAGS

pytestmark = pytest.mark.unit

SOURCE = SourceRef(id=uuid.uuid4(), name="ebay", adapter="ebay")


def collected(item: uuid.UUID) -> PricePointCollected:
    return PricePointCollected(
        producer="test",
        data=PricePointCollectedData(
            price_point_id=uuid.uuid4(),
            item_id=item,
            revision=1,
            request_id=uuid.uuid4(),
            source=SOURCE,
            kind="sold",
            title="1921-D Morgan Dollar",
            price=Decimal("400"),
            currency="USD",
            total_usd_cents=40_000,
            observed_at=datetime.now(UTC),
            match_score=1.0,
        ),
    )


def completed(item: uuid.UUID) -> PricingCompleted:
    return PricingCompleted(
        producer="test",
        data=PricingCompletedData(
            request_id=uuid.uuid4(),
            run_id=uuid.uuid4(),
            item_id=item,
            revision=1,
            source=SOURCE,
            status="ok",
            collected=1,
            filtered=0,
        ),
    )


def flagged(item: uuid.UUID) -> PricePointFlagged:
    return PricePointFlagged(
        producer="test",
        data=PricePointFlaggedData(
            price_point_id=uuid.uuid4(), item_id=item, excluded=True, reason="a lot", by="ann"
        ),
    )


class FakeConn:
    """Records each statement with its parameters; every query finds nothing."""

    def __init__(self) -> None:
        self.executed: list[tuple[Any, Any]] = []

    async def execute(self, statement: Any, parameters: Any = None) -> list[Any]:
        self.executed.append((statement, parameters))
        return []


class FakeOutbox:
    def __init__(self) -> None:
        self.added: list[Any] = []
        self.notified = 0

    async def add(self, conn: Any, events: Iterable[Any]) -> int:
        events = list(events)
        self.added.extend(events)
        return len(events)

    def notify(self) -> None:
        self.notified += 1


def consumer() -> tuple[Any, FakeConn, FakeOutbox]:
    outbox = FakeOutbox()
    handle = consumer_handler(UnitsOfWork(engine=None, outbox=outbox))  # type: ignore[arg-type]
    return handle, FakeConn(), outbox


def test_the_table_routes_exactly_the_kinds_the_service_consumes() -> None:
    table = handler_table()
    assert set(table) == set(topics.CONSUMES)
    assert table[PricePointCollected] is consumers.on_collected
    assert table[PricingCompleted] is consumers.on_completed
    assert table[PricePointFlagged] is consumers.on_flagged


async def test_each_kind_goes_to_its_store_then_the_touched_items_are_valued_once() -> None:
    handle, conn, _ = consumer()
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    batch = [flagged(c), completed(a), collected(b), collected(a), completed(b)]
    await handle(conn, batch)
    statements = [s for s, _ in conn.executed]
    assert statements == [
        UPSERT_COMPS,
        LINK_COMPS,
        INSERT_COMPLETIONS,
        UPSERT_FLAGS,
        LATEST_REQUESTS,
    ]
    params = [p for _, p in conn.executed]
    assert [row["item_id"] for row in params[0]] == [b, a]  # the comps, in batch order
    assert [row["item_id"] for row in params[2]] == [a, b]  # the completions
    assert [row["item_id"] for row in params[3]] == [c]  # the flag
    assert params[4] == {"items": [c, a, b]}  # each touched item once, as first seen


async def test_a_kind_absent_from_the_batch_is_not_written() -> None:
    handle, conn, _ = consumer()
    item = uuid.uuid4()
    await handle(conn, [flagged(item)])
    assert [s for s, _ in conn.executed] == [UPSERT_FLAGS, LATEST_REQUESTS]


async def test_an_unknown_kind_is_refused_before_anything_is_written() -> None:
    handle, conn, outbox = consumer()
    stray = ValuationComputed(
        producer="test",
        data=ValuationComputedData.model_construct(item_id=uuid.uuid4()),
    )
    with pytest.raises(TypeError, match="ValuationComputed"):
        await handle(conn, [collected(uuid.uuid4()), stray])
    assert conn.executed == [] and outbox.added == []


async def test_the_valuations_go_out_with_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    handle, conn, outbox = consumer()
    item = uuid.uuid4()
    valued = object()

    async def revalue_many(conn: Any, item_ids: list[uuid.UUID]) -> list[Any]:
        return [valued] if item_ids == [item] else []

    monkeypatch.setattr(consumers, "revalue_many", revalue_many)
    await handle(conn, [collected(item), completed(item)])
    assert outbox.added == [valued]  # written inside the batch's transaction
    assert outbox.notified == 0  # the consumer wakes the relay after the batch commits


def test_touched_items_are_each_item_once_in_the_order_first_seen() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    assert touched_items([completed(b), collected(a), flagged(b), collected(a)]) == [b, a]
    assert touched_items([]) == []

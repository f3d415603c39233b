"""The collector's rules without a database: what a collection stores and raises, what a
replay re-announces, what a CSV import refuses and makes of each row."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from request_support import MORGAN_1921_D_MS63, pricing_requested

from fairmarket.collector.adapters.base import FetchResult, RawExchange
from fairmarket.collector.adapters.registry import Adapters
from fairmarket.collector.collect import Collector, Manners
from fairmarket.collector.consumers import CollectorHandlers, joined
from fairmarket.collector.domain.exchange_log import ExchangeLog, artifact_id
from fairmarket.collector.domain.imports import (
    MANUAL,
    ImportRefused,
    KnownItem,
    manual_source,
    plan_import,
)
from fairmarket.collector.domain.listing import Listing
from fairmarket.collector.domain.money import Rates
from fairmarket.collector.domain.normalize import to_price_points
from fairmarket.collector.domain.price_points import PricePoints
from fairmarket.common.comps_csv import CompRow
from fairmarket.common.events import (
    Envelope,
    PricePointCollected,
    PricingCompleted,
    PricingRequested,
)
from fairmarket.common.uow import UnitsOfWork

pytestmark = pytest.mark.unit

WHEN = datetime(2026, 10, 1, tzinfo=UTC)


def coin_request() -> PricingRequested:
    """The second revision's request, one of a run of three."""
    return pricing_requested(MORGAN_1921_D_MS63, "ebay", revision=2, run_size=3)


def exchange(
    body: bytes, url: str = "https://api.ebay.com/buy/browse/v1/item_summary/search"
) -> RawExchange:
    return RawExchange("GET", url, {"q": "1921-D"}, 200, body, "application/json", 12.5, WHEN)


def sale(marketplace_id: str, title: str, index: int) -> Listing:
    return Listing(
        marketplace_id,
        title,
        Decimal("171.00"),
        "USD",
        "sold",
        observed_at=WHEN,
        exchange_index=index,
    )


@dataclass
class FakeConn:
    """Records what is executed, as the consumer's open transaction would run it."""

    executed: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)

    async def execute(self, statement: Any, values: list[dict[str, Any]]) -> None:
        self.executed.append((statement.table.name, values))


@dataclass
class FakeOutbox:
    added: list[tuple[Any, list[Envelope[Any]]]] = field(default_factory=list)
    woken: int = 0

    async def add(self, conn: Any, events: Any) -> int:
        events = list(events)
        self.added.append((conn, events))
        return len(events)

    def notify(self) -> None:
        self.woken += 1


async def test_a_collection_raises_its_points_and_completion_in_the_consumers_transaction() -> None:
    request = coin_request()
    page = b'{"itemSummaries": []}'
    result = FetchResult(
        exchanges=[exchange(page), exchange(page)],
        listings=[
            sale("v1|1|0", "1921-D Morgan Dollar MS63 PCGS", 0),
            sale("v1|2|0", "1921-D Morgan Dollar MS63 NGC", 1),
        ],
    )
    collector = Collector(Adapters({}, {}), Rates(), 30, Manners(None))  # type: ignore[arg-type]
    outbox, conn = FakeOutbox(), FakeConn()
    handle = joined(UnitsOfWork(None, outbox), CollectorHandlers(collector).handle)  # type: ignore[arg-type]

    await handle(conn, request, (WHEN, result))  # type: ignore[arg-type]

    assert [table for table, _ in conn.executed] == [
        "raw_artifacts",
        "exchanges",
        "price_points",
        "jobs",
    ]
    assert len(conn.executed[0][1]) == 1 and len(conn.executed[1][1]) == 2  # one body, two calls
    [(written_on, events)] = outbox.added
    assert written_on is conn  # with the rows and the inbox claim, not in a transaction of its own
    assert outbox.woken == 0  # the consumer wakes the relay once its transaction commits
    *points, done = events
    assert [type(e) for e in points] == [PricePointCollected, PricePointCollected]
    assert isinstance(done, PricingCompleted)
    assert {e.causation_id for e in events} == {request.event_id}
    assert (done.data.collected, done.data.run_size, done.data.item_grade) == (2, 3, "MS63")
    [job] = conn.executed[3][1]
    assert (job["collected"], job["filtered"], job["started_at"]) == (
        done.data.collected,
        done.data.filtered,
        WHEN,
    )


def test_the_exchange_log_stores_each_body_once_and_every_call_in_order() -> None:
    request_id = uuid.uuid4()
    log = ExchangeLog.of(
        request_id, [exchange(b"a", "u1"), exchange(b"b", "u2"), exchange(b"a", "u3")]
    )
    assert [r["id"] for r in log.artifact_rows()] == [artifact_id(b"a"), artifact_id(b"b")]
    calls = log.exchange_rows()
    assert [(c["seq"], c["url"], c["artifact_id"]) for c in calls] == [
        (0, "u1", artifact_id(b"a")),
        (1, "u2", artifact_id(b"b")),
        (2, "u3", artifact_id(b"a")),
    ]
    assert log.artifact_of(1) == artifact_id(b"b")
    assert log.artifact_of(3) is None  # a listing pointing past the log has no stored answer


def test_a_replay_reannouncesnew_and_changed_points_only() -> None:
    request = coin_request().data
    listings = [sale(f"v1|{i}|0", f"1921-D Morgan Dollar MS63 #{i}", 0) for i in range(3)]
    points = PricePoints.of(
        to_price_points([(x, "abc") for x in listings], request, rates=Rates(), now=WHEN),
        request_id=request.request_id,
        run_id=request.run_id,
        item_id=request.item_id,
    )
    same, older, new = points.points
    stored = {
        same.price_point_id: same.model_dump(mode="json"),
        older.price_point_id: {**older.model_dump(mode="json"), "filtered": not older.filtered},
    }
    changed = points.changed_since(stored)
    assert [p.price_point_id for p in changed.points] == [
        older.price_point_id,
        new.price_point_id,
    ]
    assert (
        points.changed_since(
            {p.price_point_id: p.model_dump(mode="json") for p in points.points}
        ).points
        == ()
    )


def comp(line: int, item: uuid.UUID, **fields: Any) -> CompRow:
    values: dict[str, Any] = {
        "title": "Heritage lot 3001 1921-D Morgan MS63 PCGS",
        "price": Decimal("205"),
        "currency": "USD",
        "observed_at": WHEN,
        **fields,
    }
    return CompRow(line=line, item_id=item, **values)


def known(item: uuid.UUID) -> dict[uuid.UUID, KnownItem]:
    request = coin_request().data.model_copy(update={"item_id": item})
    return {item: KnownItem(revision=2, request=request.model_dump(mode="json"))}


def test_an_import_with_an_unknown_item_or_currency_is_refused_whole_naming_every_line() -> None:
    item, stranger = uuid.uuid4(), uuid.uuid4()
    rows = [comp(2, item), comp(3, stranger), comp(4, item, currency="XXX")]
    with pytest.raises(ImportRefused) as refused:
        plan_import(rows, known(item), Rates())
    assert [e.split(":")[0] for e in refused.value.errors] == ["line 3", "line 4"]
    assert "not known to the collector" in refused.value.errors[0]


def test_an_imported_item_is_a_manual_request_of_its_own_with_its_job_and_events() -> None:
    item = uuid.uuid4()
    ids = iter(uuid.UUID(int=n) for n in range(1, 10))
    rows = [comp(2, item), comp(3, item), comp(4, item, title="Show sale 1921-D", grade="MS62")]
    [planned] = plan_import(rows, known(item), Rates(), new_id=lambda: next(ids))
    run_id, request_id = uuid.UUID(int=1), uuid.UUID(int=2)
    assert planned.rows == 3 and len(planned.points) == 2  # the same row twice is one comp
    first, second = planned.points.points
    assert (first.grade, second.grade) == ("MS63", "MS62")  # read from the title unless given
    assert (first.request_id, first.revision, first.source) == (
        request_id,
        2,
        manual_source("manual"),
    )
    assert first.total_usd_cents == 20500
    assert planned.request["request_id"] == str(request_id)
    assert planned.request["run_id"] == str(run_id)
    assert planned.request["source"]["adapter"] == "manual"
    job = planned.job_row(started_at=WHEN)
    assert (job["source"], job["adapter"], job["status"], job["collected"]) == (
        "manual",
        "manual",
        "ok",
        2,
    )
    *points, done = planned.events()
    assert len(points) == 2 and isinstance(done, PricingCompleted)
    assert (done.data.source, done.data.item_grade, done.correlation_id) == (MANUAL, "MS63", run_id)

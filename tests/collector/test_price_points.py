"""The one builder of a request's price points, rows and events (collection, import, replay)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from fairmarket.collector.domain.price_points import PricePoints
from fairmarket.common.events import (
    CardAttribution,
    PricePointCollectedData,
    RecordAttribution,
    SourceRef,
)
from fairmarket.common.grades import attributed_grade

SOURCE = SourceRef(id=uuid.uuid4(), name="ebay-us", adapter="ebay")
ITEM, REQUEST, RUN = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def point(pid: uuid.UUID, title: str, *, filtered: bool = False) -> PricePointCollectedData:
    return PricePointCollectedData(
        price_point_id=pid,
        item_id=ITEM,
        revision=1,
        request_id=REQUEST,
        source=SOURCE,
        kind="sold",
        title=title,
        price=Decimal("10"),
        currency="USD",
        total_usd_cents=1000,
        observed_at=datetime(2026, 1, 1, tzinfo=UTC),
        match_score=1.0,
        filtered=filtered,
        filtered_reason="lot" if filtered else None,
        raw_artifact_id="abc" if not filtered else None,
    )


def test_a_point_seen_twice_is_stored_and_announced_once_the_first_kept() -> None:
    same = uuid.uuid4()
    points = PricePoints.of(
        [point(same, "first"), point(uuid.uuid4(), "other", filtered=True), point(same, "second")],
        request_id=REQUEST,
        run_id=RUN,
        item_id=ITEM,
    )
    assert [p.title for p in points.points] == ["first", "other"]
    rows = points.rows()
    assert [r["id"] for r in rows] == [same, points.points[1].price_point_id]
    assert rows[0]["payload"]["title"] == "first"
    assert [r["raw_artifact_id"] for r in rows] == ["abc", None]
    assert {r["request_id"] for r in rows} == {REQUEST}
    cause = uuid.uuid4()
    events = points.events(causation_id=cause)
    assert [e.data for e in events] == list(points.points)
    assert {(e.correlation_id, e.causation_id) for e in events} == {(RUN, cause)}


def test_completion_counts_what_was_announced_and_carries_the_item_grade() -> None:
    points = PricePoints.of(
        [point(uuid.uuid4(), "a"), point(uuid.uuid4(), "b", filtered=True)],
        request_id=REQUEST,
        run_id=RUN,
        item_id=ITEM,
    )
    done = points.completed(
        revision=3,
        source=SOURCE,
        status="partial",
        attribution=CardAttribution(name="Charizard", grade="PSA 10", condition="NM"),
        error="page 2 failed",
        run_size=4,
    ).data
    assert (done.collected, done.filtered, done.item_grade) == (2, 1, "PSA 10")
    assert (done.revision, done.status, done.error, done.run_size) == (
        3,
        "partial",
        "page 2 failed",
        4,
    )


def test_the_item_grade_rule_reads_models_and_stored_json_alike() -> None:
    record = RecordAttribution(artist="Miles Davis", media_grade="VG+")
    assert attributed_grade(record) == "VG+"
    assert attributed_grade(record.model_dump(mode="json")) == "VG+"
    card = CardAttribution(name="Pikachu", condition="Near Mint")
    assert attributed_grade(card) == attributed_grade(card.model_dump(mode="json")) == "Near Mint"
    assert attributed_grade({"grade": None, "media_grade": None}) is None
    assert attributed_grade(None) is None

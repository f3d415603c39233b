"""What the valuation did with each comp: the per-comp use the event carries."""

from __future__ import annotations

import uuid

import pytest
from valuation_engine_support import NOW, check_consistent, comp, sold

from fairmarket.common.events import MAX_COMP_USES, ValuationComputedData
from fairmarket.valuation.domain import DEFAULT_PARAMS, value

PRICES = [41_000, 40_000, 42_500, 39_500, 41_200, 40_800, 43_000, 38_900, 41_700, 40_100, 41_900]


def uses(v: object) -> dict[str, dict[str, object]]:
    return {u["price_point_id"]: u for u in v.comp_uses()}  # type: ignore[attr-defined]


def test_used_comps_carry_their_weight_and_the_rest_why_not() -> None:
    comps = [
        *sold(PRICES),
        *[comp(f"s{100 + i}", 40_000, 60 + 40 * i) for i in range(5)],  # before the window
        comp("junk", 400, 2),  # far below the rest
        comp("filtered", 41_000, 2, filtered=True),
        comp("excluded", 41_000, 2, excluded=True),
        comp("ask", 45_000, 2, kind="ask"),  # sales are plenty: an ask only bounds
        comp("later", 41_000, -1),  # after the valuation date
        comp("free", 0, 2),
    ]
    v = value(comps, as_of=NOW)
    check_consistent(v)
    got = uses(v)
    assert {got[f"s{i}"]["use"] for i in range(len(PRICES))} == {"used"}
    assert {got[f"s{i}"]["use"] for i in range(100, 105)} == {"outside_window"}
    assert got["junk"]["use"] == "outlier"
    assert got["filtered"]["use"] == "filtered"
    assert got["excluded"]["use"] == "excluded"
    assert got["ask"]["use"] == "listing_bound"
    assert "later" not in got  # not part of the valuation as of NOW
    assert {d.use for d in v.comp_details() if d.price_point_id == "later"} == {"future"}
    assert got["free"]["use"] == "no_price"
    weights = [u["weight"] for u in got.values() if u["use"] == "used"]
    assert len(weights) == v.comps_used
    assert sum(weights) == pytest.approx(1.0, abs=1e-3)  # shares of the value's weight
    assert all(u["weight"] is None for u in got.values() if u["use"] != "used")
    newest, oldest = got["s0"]["weight"], got[f"s{len(PRICES) - 1}"]["weight"]
    assert newest > oldest  # recency: the newest sale counts most
    # the older contract's outlier list says the same
    assert v.outlier_ids() == sorted(p for p, u in got.items() if u["use"] == "outlier")


def test_another_grade_used_through_its_learned_ratio() -> None:
    tens = [comp(f"ten{i}", 100_000 + 500 * i, 20 + 25 * i, grade="PSA 10") for i in range(4)]
    nines = [comp(f"nine{i}", 40_000 + 300 * i, 15 + 25 * i, grade="PSA 9") for i in range(6)]
    v = value(tens + nines, as_of=NOW, grade="PSA 10")
    check_consistent(v)
    (adj,) = v.grade_adjustments
    got = uses(v)
    for i in range(6):
        u = got[f"nine{i}"]
        assert u["use"] == "other_grade_used"
        assert u["grade_ratio"] == pytest.approx(adj.ratio, rel=1e-3)  # PSA 9 -> PSA 10
        assert u["weight"] > 0
    assert all(got[f"ten{i}"]["use"] == "used" for i in range(4))
    assert all(got[f"ten{i}"]["grade_ratio"] is None for i in range(4))


def test_another_grade_without_a_ratio_is_left_out() -> None:
    tens = sold(PRICES, grade="PSA 10")
    eights = [comp(f"eight{i}", 9_000, 3 + i, grade="PSA 8") for i in range(2)]  # too few
    v = value(tens + eights, as_of=NOW, grade="PSA 10")
    check_consistent(v)
    got = uses(v)
    assert got["eight0"]["use"] == got["eight1"]["use"] == "other_grade_left_out"
    assert got["eight0"]["weight"] is None and got["eight0"]["grade_ratio"] is None
    assert v.grade_left_out == 2


def test_the_event_lists_what_the_value_rests_on_first_and_is_bounded() -> None:
    comps = [*sold(PRICES), comp("junk", 400, 2), comp("filtered", 41_000, 2, filtered=True)]
    v = value(comps, as_of=NOW)
    listed = v.comp_uses()
    order = [u["use"] for u in listed]
    assert order == ["used"] * len(PRICES) + ["outlier", "filtered"]
    weights = [u["weight"] for u in listed[: len(PRICES)]]
    assert weights == sorted(weights, reverse=True)
    assert [u["price_point_id"] for u in v.comp_uses(3)] == [
        u["price_point_id"] for u in listed[:3]
    ]
    payload = v.to_payload()
    assert payload["comp_uses"] == listed
    event = ValuationComputedData(item_id=uuid.uuid4(), revision=1, version=1, **payload)
    assert [u.use for u in event.comp_uses] == order


def test_a_used_listing_fills_in_for_thin_sales() -> None:
    sales = sold([30_000, 31_000, 29_000, 30_500], days_apart=60)
    asks = [comp(f"a{i}", 36_000, 2, kind="ask") for i in range(10)]
    v = value(sales + asks, as_of=NOW)
    got = uses(v)
    assert {got[f"a{i}"]["use"] for i in range(10)} == {"used"}
    ask_share = sum(got[f"a{i}"]["weight"] for i in range(10))  # type: ignore[misc]
    assert 0 < ask_share <= DEFAULT_PARAMS.max_listing_share + 1e-3


def test_an_item_with_more_comps_than_the_event_holds_lists_what_the_value_rests_on() -> None:
    comps = [*sold(PRICES), comp("junk", 400, 2)]
    comps += [comp(f"old{i}", 40_000, 400 + i % 300) for i in range(MAX_COMP_USES)]  # past lookback
    v = value(comps, as_of=NOW)
    listed = v.to_payload()["comp_uses"]
    assert len(listed) == MAX_COMP_USES
    assert [u["use"] for u in listed[: len(PRICES) + 1]] == ["used"] * len(PRICES) + ["outlier"]
    event = ValuationComputedData(item_id=uuid.uuid4(), revision=1, version=1, **v.to_payload())
    assert len(event.model_dump_json()) < 1_000_000  # within a Kafka message's default limit

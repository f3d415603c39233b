"""Pure parts of the console: the sign-in throttle, the price chart's geometry, the
evidence in words, the take-in form's fields and grade scales, an admin's own demotion."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from starlette.datastructures import FormData

from fairmarket.catalog.console import attribution_form
from fairmarket.catalog.console.item_pages import comp_class
from fairmarket.catalog.console.render import evidence, money
from fairmarket.catalog.domain import price_chart
from fairmarket.catalog.domain.sign_in_throttle import (
    ADDRESS_FORGET_AFTER,
    ADDRESS_FREE_FAILURES,
    FREE_FAILURES,
    MAX_WAIT,
    address_retry_in,
    retry_in,
    wait_after,
)
from fairmarket.catalog.service.accounts import demotes_self

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_few_typos_are_free_then_each_failure_doubles_the_wait() -> None:
    assert all(wait_after(n) == timedelta(0) for n in range(FREE_FAILURES))
    waits = [wait_after(FREE_FAILURES + i).total_seconds() for i in range(4)]
    assert waits == [1, 2, 4, 8]
    assert wait_after(100) == MAX_WAIT
    later = T0 + timedelta(seconds=3)
    assert retry_in(FREE_FAILURES + 2, T0, later) == timedelta(seconds=1)
    assert retry_in(FREE_FAILURES + 2, T0, T0 + timedelta(seconds=9)) == timedelta(0)
    assert retry_in(50, None, later) == timedelta(0)


def test_an_address_gets_more_free_tries_then_waits_until_a_quiet_hour_forgets() -> None:
    assert ADDRESS_FREE_FAILURES > FREE_FAILURES  # a shop's network shares one address
    second = T0 + timedelta(seconds=1)
    assert address_retry_in(ADDRESS_FREE_FAILURES - 1, T0, T0) == timedelta(0)
    assert address_retry_in(ADDRESS_FREE_FAILURES, T0, T0) == timedelta(seconds=1)
    assert address_retry_in(ADDRESS_FREE_FAILURES + 3, T0, second) == timedelta(seconds=7)
    assert address_retry_in(500, T0, T0 + timedelta(minutes=5)) == MAX_WAIT - timedelta(minutes=5)
    assert address_retry_in(500, T0, T0 + ADDRESS_FORGET_AFTER) == timedelta(0)
    assert address_retry_in(500, None, T0) == timedelta(0)


def test_the_chart_puts_higher_prices_higher_and_later_dates_righter() -> None:
    chart = price_chart.build(
        [(T0 + timedelta(days=10), 5_000), (T0, 4_000)],
        [(T0 + timedelta(days=5), 6_000, "sold ebay"), (T0 + timedelta(days=2), 3_000, "ask")],
    )
    assert chart is not None
    assert [p.cents for p in chart.line] == [4_000, 5_000]  # oldest first
    assert chart.line[0].x < chart.line[1].x and chart.line[0].y > chart.line[1].y
    high, low = chart.dots
    assert high.y < low.y  # SVG y grows downwards
    xs = [p.x for p in (*chart.line, *chart.dots)]
    ys = [p.y for p in (*chart.line, *chart.dots)]
    assert min(xs) == price_chart.PAD_LEFT and max(xs) == chart.width - price_chart.PAD_RIGHT
    assert min(ys) == price_chart.PAD_TOP and max(ys) == chart.height - price_chart.PAD_BOTTOM
    assert chart.path.startswith("M") and chart.path.count("L") == 1
    assert [c for _, c in chart.y_ticks] == [3_000, 3_750, 4_500, 5_250, 6_000]


def test_no_chart_without_data_and_a_flat_one_still_draws() -> None:
    assert price_chart.build([], []) is None
    flat = price_chart.build([(T0, 1_000)], [])
    assert flat is not None and flat.line[0].y == (flat.height - 30 + 10) / 2


def test_thin_evidence_is_said_in_words() -> None:
    assert evidence(None) == "not valued yet"
    assert evidence({"basis": "sold", "comps": {"used": 3}}) == "3 sales"
    assert evidence({"basis": "ask", "comps": {"used": 1}}) == "1 ask"
    assert evidence({"basis": "none", "comps": {"used": 0}}) == "no usable comps"
    assert money(123456) == "$1,234.56" and money(None) == "—"


def test_each_category_has_its_fields_with_grade_scales_as_choices() -> None:
    coin = {f.name: f for f in attribution_form.fields("coin")}
    assert set(coin) == {"year", "mintmark", "denomination", "variety", "grade"}
    assert coin["year"].numeric and "MS63" in (coin["grade"].choices or [])
    record = {f.name: f for f in attribution_form.fields("record")}
    assert record["media_grade"].choices == ["M", "NM", "VG+", "VG", "G+", "G", "F", "P"]
    card = {f.name: f for f in attribution_form.fields("card")}
    assert "PSA 10" in (card["grade"].choices or [])
    values, errors = attribution_form.read(
        "coin", FormData({"year": "19x1", "mintmark": " D ", "grade": ""})
    )
    assert values == {"mintmark": "D"} and errors == {"year": "a whole number, please"}


def test_each_comp_row_is_marked_by_its_flag_else_by_what_the_valuation_did() -> None:
    def comp(**kw: object) -> SimpleNamespace:
        base = {"excluded": False, "filtered": False, "valuation_use": None}
        return SimpleNamespace(**{**base, **kw})

    assert comp_class(comp(valuation_use="used")) == "used"
    assert comp_class(comp(valuation_use="other_grade_left_out")) == "other-grade-left-out"
    assert comp_class(comp()) == "unvalued"  # came after the latest valuation
    # a flag set since the valuation wins: it is what the next valuation sees
    assert comp_class(comp(filtered=True, valuation_use="used")) == "filtered"
    assert comp_class(comp(excluded=True, filtered=True, valuation_use="used")) == "excluded"


def test_an_admin_may_change_others_and_keep_their_own_role_but_not_demote_themself() -> None:
    me, other = uuid.uuid4(), uuid.uuid4()
    assert demotes_self(me, me, None, True)
    assert demotes_self(me, me, "staff", None)
    assert demotes_self(me, me, "", None)  # an empty role is no admin's role either
    assert not demotes_self(me, me, "admin", False)
    assert not demotes_self(me, me, None, None)
    assert not demotes_self(me, other, "viewer", True)

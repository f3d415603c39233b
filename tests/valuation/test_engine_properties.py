"""Properties of the valuation that must hold for any comps (Hypothesis)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from valuation_engine_support import NOW, check_consistent, comp

from fairmarket.valuation.domain import Comp, Valuation, value

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

price = st.integers(min_value=100, max_value=10_000_000)
kinds = st.sampled_from(["sold", "sold", "sold", "auction", "ask", "guide"])
formats = st.sampled_from(["auction", "fixed_price", "best_offer", "unknown"])


@st.composite
def any_comps(draw: st.DrawFn, min_size: int = 0, max_size: int = 40) -> list[Comp]:
    """Mixed comps over two years: kinds, sources, formats, flags, grades."""
    n = draw(st.integers(min_size, max_size))
    return [
        comp(
            f"c{i}",
            draw(price),
            draw(st.floats(0.0, 730.0)),
            kind=draw(kinds),
            source=draw(st.sampled_from(["ebay", "heritage", "discogs"])),
            reputation=draw(st.sampled_from([1.0, 0.5, 2.0])),
            match=draw(st.floats(0.3, 1.0)),
            sale_format=draw(formats),
            bids=draw(st.none() | st.integers(0, 30)),
            grade=draw(st.sampled_from([None, "PSA 10", "PSA 9"])),
            filtered=draw(st.booleans().map(lambda b: b and draw(st.booleans()))),
        )
        for i in range(n)
    ]


@st.composite
def recent_sales(draw: st.DrawFn, min_size: int = 10, max_size: int = 40) -> list[Comp]:
    """Plenty of sales in the last two weeks around one price: the common case."""
    center = draw(st.integers(1_000, 1_000_000))
    n = draw(st.integers(min_size, max_size))
    return [
        comp(
            f"s{i}",
            max(1, round(center * draw(st.floats(0.7, 1.4)))),
            draw(st.floats(0.0, 13.0)),
        )
        for i in range(n)
    ]


def used_prices(v: object) -> list[int]:
    return [d.adjusted_usd_cents for d in v.comp_details() if d.used]  # type: ignore[attr-defined]


@SETTINGS
@given(any_comps())
def test_numbers_components_and_explanation_agree(comps: list[Comp]) -> None:
    check_consistent(value(comps, as_of=NOW))


@SETTINGS
@given(any_comps(), st.sampled_from([None, "PSA 10"]))
def test_fmv_lies_within_the_used_comps_range(comps: list[Comp], grade: str | None) -> None:
    v = value(comps, as_of=NOW, grade=grade)
    if v.fmv_usd_cents is None:
        assert not used_prices(v)
        return
    prices = used_prices(v)
    assert min(prices) - 1 <= v.fmv_usd_cents <= max(prices) + 1


@SETTINGS
@given(any_comps(), st.randoms(use_true_random=False))
def test_invariant_to_comp_order(comps: list[Comp], rnd: object) -> None:
    shuffled = comps[:]
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert value(shuffled, as_of=NOW).to_payload() == value(comps, as_of=NOW).to_payload()


@SETTINGS
@given(any_comps(min_size=1), st.data())
def test_invariant_to_duplicated_comps(comps: list[Comp], data: st.DataObject) -> None:
    dups = data.draw(st.lists(st.sampled_from(comps), max_size=10))
    assert value(comps + dups, as_of=NOW).to_payload() == value(comps, as_of=NOW).to_payload()


def outliers(v: Valuation) -> set[str]:
    return {d.price_point_id for d in v.comp_details() if d.outlier}


def neighbour_below(v: Valuation, cents: int) -> float:
    """The next comp price below ``cents`` (or 2% below): how far re-admitting
    one low borderline comp can pull a median down."""
    below = [p for p in sorted({d.adjusted_usd_cents for d in v.comp_details()}) if p <= cents]
    return min(below[-2] if len(below) > 1 else cents, cents * 0.98)


def within_a_neighbour(before: Valuation, after: Valuation) -> bool:
    """``after`` is no further from ``before`` than the next comp price on either
    side (or 2%): what re-admitting or dropping one borderline comp can do."""
    fmv, new = before.fmv_usd_cents, after.fmv_usd_cents
    assert fmv is not None and new is not None
    prices = sorted({d.adjusted_usd_cents for d in before.comp_details()})
    below = [p for p in prices if p <= fmv]
    above = [p for p in prices if p >= fmv]
    low = min(below[-2] if len(below) > 1 else fmv, fmv * 0.98)
    high = max(above[1] if len(above) > 1 else fmv, fmv * 1.02)
    return low - 1 <= new <= high + 1


@SETTINGS
@given(recent_sales(), st.floats(1.0, 3.0), st.floats(0.0, 13.0))
def test_a_higher_sale_never_lowers_the_median(
    comps: list[Comp], factor: float, days_ago: float
) -> None:
    """The median of the sales (p50) never goes down, whenever the same comps
    stay outliers. Tukey's fences scale with the IQR, so a new high comp can
    widen them enough to re-admit a low borderline comp; then it goes down at
    most to the neighbouring comp below. (Re-admitting a high borderline comp
    besides the new one can move it up past its neighbour: up is not the
    property.) (The FMV is the level of a filter whose noise is
    re-estimated from the sales, so a new sale can make it average more of them:
    ``test_engine_level`` checks its monotonicity with the noise held fixed.)"""
    before = value(comps, as_of=NOW)
    assert before.p50_usd_cents is not None and before.fmv_usd_cents is not None
    higher = comp("new", round(before.p50_usd_cents * factor), days_ago)
    after = value([*comps, higher], as_of=NOW)
    assert after.p50_usd_cents is not None
    if outliers(after) - {"new"} == outliers(before):
        assert after.p50_usd_cents >= before.p50_usd_cents
    else:
        assert after.p50_usd_cents >= neighbour_below(before, before.p50_usd_cents) - 1


@SETTINGS
@given(recent_sales(min_size=20), st.sampled_from([0.001, 1000.0]), st.floats(0.0, 13.0))
def test_one_extreme_outlier_among_many_barely_matters(
    comps: list[Comp], factor: float, days_ago: float
) -> None:
    """The outlier itself is never used; the value is unchanged unless it shifts
    the fences enough to re-admit or drop a borderline comp, and then it moves
    no further than to a neighbouring comp."""
    before = value(comps, as_of=NOW)
    assert before.fmv_usd_cents is not None
    junk = comp("junk", max(1, round(before.fmv_usd_cents * factor)), days_ago)
    after = value([*comps, junk], as_of=NOW)
    assert "junk" in outliers(after)
    if outliers(after) - {"junk"} == outliers(before):
        assert after.fmv_usd_cents == before.fmv_usd_cents
    else:
        assert within_a_neighbour(before, after)


@SETTINGS
@given(recent_sales(min_size=3, max_size=30), st.integers(1, 20), st.data())
def test_confidence_does_not_fall_with_more_consistent_comps(
    comps: list[Comp], extra: int, data: st.DataObject
) -> None:
    before = value(comps, as_of=NOW)
    assert before.fmv_usd_cents is not None
    newest = min((NOW - c.observed_at).total_seconds() / 86_400 for c in comps)
    more = [
        comp(f"more{i}", before.fmv_usd_cents, data.draw(st.floats(newest, 13.0)))
        for i in range(extra)
    ]
    after = value([*comps, *more], as_of=NOW)
    assert after.confidence >= before.confidence


@SETTINGS
@given(any_comps(max_size=15))
def test_all_filtered_or_excluded_gives_no_price_and_confidence_one(comps: list[Comp]) -> None:
    junk = [
        replace(c, filtered=True) if i % 2 else replace(c, excluded=True)
        for i, c in enumerate(comps)
    ]
    v = value(junk, as_of=NOW)
    assert v.fmv_usd_cents is None and v.confidence == 1 and v.basis == "none"
    assert "no price" in v.explanation
    assert v.comps_filtered == len(junk)

"""The backtest's pure parts and the level filter, on data built to know the answer."""

from __future__ import annotations

import hashlib
import math
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairmarket.valuation.domain.evaluation import (
    Case,
    EngineEstimate,
    Series,
    bootstrap_difference,
    evaluate,
    fit_range,
    fold_of,
    panel,
    rolling_cases,
)
from fairmarket.valuation.domain.level import local_level, spread_noise

DAY0 = date(2020, 1, 5)


def test_panel_rules_on_a_known_series() -> None:
    prices = np.array([100.0, 300.0, 200.0, 400.0, 500.0, 150.0])
    age = np.array([100.0, 60.0, 40.0, 20.0, 10.0, 1.0])  # oldest first
    p = panel(age, prices)
    assert p["last sale"] == 150.0
    assert p["median of last 3"] == 400.0
    assert p["median of last 5"] == 300.0
    assert p["median of last 10"] == 250.0  # all six
    assert p["median of 14 days"] == 300.0  # 2 sales in 14 days: the last 5 instead
    assert p["median of 30 days"] == 400.0  # 20, 10, 1 days old
    assert p["EW median, 7-day half-life"] == 150.0  # the newest outweighs the rest


def _series(n: int, every: int = 2, start: float = 1000.0) -> Series:
    days = tuple((DAY0 + timedelta(days=every * i)).toordinal() for i in range(n))
    return Series("Some Player", days, tuple(start + i for i in range(n)))


def test_rolling_cases_never_show_the_engine_a_sale_after_the_day() -> None:
    s = _series(60)
    seen: list[tuple[int, date]] = []

    def engine(name: str, cut: int, day: date) -> EngineEstimate:
        assert all(d <= day.toordinal() for d in s.days[:cut])
        assert cut == len(s.days) or s.days[cut] > day.toordinal()
        seen.append((cut, day))
        return EngineEstimate(1000.0, 0.1, 9)

    origins = [DAY0 + timedelta(days=7 * k) for k in range(20)]
    cases = rolling_cases({"a": s}, {"e": engine}, origins, min_history=3, min_future=3)
    assert cases and len(cases) == len(seen)
    for c in cases:
        later = [p for d, p in zip(s.days, s.cents, strict=True)
                 if c.day.toordinal() < d <= c.day.toordinal() + 14]  # fmt: skip
        assert len(later) >= 3 and c.target == float(np.median(later))
        assert c.volume == sum(1 for d in s.days if 0 <= c.day.toordinal() - d < 30)
    assert min(c.day for c in cases) >= DAY0 + timedelta(days=4)  # 3 sales of history


def test_a_case_every_engine_variant_cannot_price_is_left_out_for_all() -> None:
    origins = [DAY0 + timedelta(days=7 * k) for k in range(10)]
    cases = rolling_cases(
        {"a": _series(40)},
        {"ok": lambda n, c, d: EngineEstimate(1.0, 0.1, 5), "none": lambda n, c, d: None},
        origins,
    )
    assert cases == []


def test_folds_are_salted_and_keep_a_player_together() -> None:
    # the data's own dev split is sha256(player) mod 4 == 0: those players must still spread
    dev = [f"player {i}" for i in range(400)
           if int(hashlib.sha256(f"player {i}".encode()).hexdigest(), 16) % 4 == 0]  # fmt: skip
    assert len({fold_of(p, 4) for p in dev}) == 4
    assert fold_of("Luka Doncic", 4) == fold_of("luka doncic", 4)


def _case(group: str, target: float, fmv: float, volume: int, base: float) -> Case:
    return Case(
        series=f"{group} s", group=group, day=DAY0, target=target, volume=volume,
        panel={"rule": base, "other": base * 1.5},
        engine={"v": EngineEstimate(fmv, 0.1, 10 if volume >= 10 else 3)},
    )  # fmt: skip


def test_fit_range_learns_the_quantiles_of_standardized_errors() -> None:
    rng = np.random.default_rng(1)
    z = rng.normal(0.5, 1.0, 4000)  # forecasts biased low by half a scale
    cases = [_case("p", 100 * math.exp(0.1 * zi), 100.0, 12, 100.0) for zi in z]
    (_, lo0, hi0), (_, lo1, hi1), (_, lo2, hi2) = fit_range(cases, "v")
    assert lo2 == pytest.approx(0.5 - 1.2816, abs=0.1) and hi2 == pytest.approx(
        0.5 + 1.2816, abs=0.1
    )
    assert (lo0, hi0) == (lo1, hi1) == (lo2, hi2)  # empty bands borrow the pooled quantiles


def test_evaluate_reports_each_fold_with_choices_made_on_the_others() -> None:
    rng = np.random.default_rng(2)
    cases = []
    for i in range(40):
        for _ in range(30):
            t = 100 * math.exp(rng.normal(0, 0.1))
            cases.append(_case(f"player {i}", t, t * math.exp(rng.normal(0, 0.05)), 12,
                               t * math.exp(rng.normal(0, 0.1))))  # fmt: skip
    r = evaluate(cases, folds=4, draws=200)
    assert sum(f.cases for f in r.folds) == len(cases) == len(r.scored)
    assert all(f.chosen_baseline == "rule" for f in r.folds)
    assert r.best_baseline == "rule" and r.engine < r.best_baseline_error
    assert r.difference_90[1] < 0
    assert 0.7 < r.coverage < 0.9


def test_bootstrap_interval_straddles_zero_when_engine_equals_the_panel() -> None:
    rng = np.random.default_rng(3)
    errors = rng.exponential(0.1, (600, 2))
    lo, hi = bootstrap_difference(errors, errors[:, 0].copy(), [str(i // 10) for i in range(600)],
                                  draws=300)  # fmt: skip
    assert lo <= 0.0 <= hi + 1e-12


def _level(t: list[float], p: list[float], noise: float | None = None) -> float:
    lv = local_level(np.array(t), np.log(np.array(p)), np.ones(len(p)), q=0.003, huber_c=2.0,
                     noise_default=0.04, noise_floor=1e-4, noise=noise)  # fmt: skip
    assert lv is not None
    return math.exp(lv.log_level)


def test_level_of_a_steady_price_is_that_price_and_a_stray_sale_barely_moves_it() -> None:
    t = [float(i) for i in range(20)]
    steady = [100.0 * (1.02 if i % 2 else 0.98) for i in range(20)]
    base = _level(t, steady)
    assert base == pytest.approx(100.0, rel=0.03)
    # Huber: a tenfold sale moves it by at most 2 sd of its prediction (~8% here), not
    # tenfold; in the engine the wider fences set such a sale aside before the filter
    assert _level([*t, 20.0], [*steady, 1000.0]) < base * 1.2


def test_level_follows_a_lasting_move() -> None:
    t = [float(i) for i in range(40)]
    prices = [100.0] * 20 + [150.0] * 20
    assert _level(t, prices) == pytest.approx(150.0, rel=0.05)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(50.0, 200.0), min_size=2, max_size=30), st.floats(1.0, 3.0))
def test_a_newest_sale_above_the_level_never_lowers_it(prices: list[float], factor: float) -> None:
    """With the noise held fixed; the engine re-estimates it from the sales."""
    t = [float(i) for i in range(len(prices))]
    before = _level(t, prices, noise=0.02)
    assert _level([*t, t[-1] + 1.0], [*prices, before * factor], noise=0.02) >= before * (1 - 1e-9)


def test_a_sale_that_weighs_less_moves_the_level_less() -> None:
    t = np.arange(11, dtype=float)
    logp = np.log(np.array([100.0] * 10 + [130.0]))
    kw = {"q": 0.003, "huber_c": 2.0, "noise_default": 0.04, "noise_floor": 1e-4, "noise": 0.02}
    full = local_level(t, logp, np.ones(11), **kw)
    light = local_level(t, logp, np.array([1.0] * 10 + [0.3]), **kw)
    assert full is not None and light is not None
    assert 0 < light.log_level - math.log(100) < full.log_level - math.log(100)


def _spread(t: list[float], p: list[float]) -> float:
    return spread_noise(np.array(t), np.log(np.array(p)), window_days=30.0, default=0.04,
                        prior_sales=3, floor=1e-4)  # fmt: skip


def test_the_range_noise_is_the_recent_sales_spread_and_leans_on_the_default_when_few() -> None:
    t = [float(i) for i in range(40)]
    steady = [100.0 * (1.05 if i % 2 else 0.95) for i in range(40)]
    # 30 days of sales 5% either side: a MAD of 0.05 (sd 0.074), far below the default 0.2
    assert math.sqrt(_spread(t, steady)) == pytest.approx(1.4826 * 0.05, rel=0.05)
    # sales older than 30 days before the newest do not count
    assert _spread(t, [1000.0 if i < 9 else p for i, p in enumerate(steady)]) == _spread(t, steady)
    # two sales: the three pseudo-sales at the default carry the median
    assert _spread([0.0, 1.0], [95.0, 105.0]) == pytest.approx(0.04)


def test_sales_at_the_value_never_raise_the_range_noise() -> None:
    """Two price steps (100s, then 120s) valued at 110: one sale at 110 between
    them leaves the spread the range rests on as it was, a dozen lower it."""
    t = [float(i) for i in range(20)]
    p = [100.0 * 1.01**i for i in range(10)] + [120.0 * 1.01**i for i in range(10)]
    before = _spread(t, p)
    assert _spread([*t, 9.5], [*p, 110.0]) <= before
    assert _spread([*t, *[9.5] * 12], [*p, *[110.0] * 12]) < before / 4

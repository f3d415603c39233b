"""Weighted quantiles, the interval of the median, Theil-Sen trend, IQR fences."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from fairmarket.valuation.domain.outliers import iqr_fences, outlier_mask
from fairmarket.valuation.domain.stats import (
    effective_n,
    median_ci_levels,
    pct_per_30d,
    theil_sen_per_day,
    theil_sen_slope,
    weighted_mean,
    weighted_quantiles,
)


@pytest.mark.parametrize(
    "values", [[5.0], [1.0, 2.0], [1.0, 2.0, 3.0], [1.0, 2.0, 2.0, 7.0, 9.0, 30.0]]
)
def test_equal_weights_give_the_ordinary_median(values: list[float]) -> None:
    v = np.array(values)
    assert weighted_quantiles(v, np.ones(len(v)), [0.5])[0] == pytest.approx(np.median(v))


def test_a_comp_with_most_of_the_weight_is_the_median() -> None:
    v = np.array([100.0, 200.0, 300.0])
    assert weighted_quantiles(v, np.array([1.0, 1.0, 10.0]), [0.5])[0] == 300.0
    assert weighted_quantiles(v, np.array([10.0, 1.0, 1.0]), [0.5])[0] == 100.0
    assert weighted_quantiles(v, np.array([1.0, 1.0, 2.0]), [0.5])[0] == 250.0  # exactly half


def test_a_value_above_the_median_never_lowers_it() -> None:
    rng = np.random.default_rng(11)
    for _ in range(200):
        v = np.sort(rng.integers(1, 50, 9).astype(float))
        w = rng.uniform(0.1, 2.0, 9)
        m = weighted_quantiles(v, w, [0.5])[0]
        x = m + rng.uniform(0, 20)
        v2 = np.append(v, x)
        w2 = np.append(w, rng.uniform(0.1, 2.0))
        order = np.argsort(v2, kind="stable")
        assert weighted_quantiles(v2[order], w2[order], [0.5])[0] >= m


def test_quantiles_are_ordered_and_clamped_to_the_range() -> None:
    v = np.array([10.0, 20.0, 40.0, 80.0])
    w = np.array([1.0, 3.0, 2.0, 0.5])
    q = weighted_quantiles(v, w, [0.0, 0.1, 0.5, 0.9, 1.0])
    assert list(q) == sorted(q)
    assert q[0] == 10.0 and q[-1] == 80.0


def test_weighted_quantiles_match_the_unweighted_quantiles_of_repeated_values() -> None:
    """Integer weights act like repeated comps at the median."""
    v = np.array([3.0, 5.0, 11.0])
    w = np.array([2.0, 1.0, 2.0])
    repeated = np.repeat(v, w.astype(int))
    assert weighted_quantiles(v, w, [0.5])[0] == pytest.approx(np.median(repeated))


def test_weighted_mean_and_effective_n() -> None:
    v = np.array([100.0, 300.0])
    assert weighted_mean(v, np.array([3.0, 1.0])) == pytest.approx(150.0)
    assert effective_n(np.ones(7)) == pytest.approx(7.0)
    assert effective_n(np.array([1.0, 1e-9])) == pytest.approx(1.0, rel=1e-6)


@pytest.mark.parametrize("n", [6, 7, 10, 20, 50, 101, 400])
def test_median_interval_has_at_least_95_percent_coverage_and_is_the_tightest(n: int) -> None:
    lo, hi = median_ci_levels(n)
    rank = max(1, round(lo * n + 0.5))  # back from level to the 1-based order statistic
    assert lo == pytest.approx(1.0 - hi)
    coverage = 1.0 - 2.0 * sps.binom.cdf(rank - 1, n, 0.5)
    assert coverage >= 0.95
    tighter = 1.0 - 2.0 * sps.binom.cdf(rank, n, 0.5)
    assert tighter < 0.95 or rank == 1


def test_median_interval_of_few_comps_is_their_whole_range() -> None:
    for n in range(0, 6):
        assert median_ci_levels(n) == (0.0, 1.0)


def test_median_interval_large_n_approximation_is_continuous() -> None:
    exact_lo, _ = median_ci_levels(5000)
    approx_lo, _ = median_ci_levels(5001)
    assert approx_lo == pytest.approx(exact_lo, abs=2e-3)
    assert approx_lo == pytest.approx(0.5 - 1.96 * 0.5 / math.sqrt(5001), abs=2e-3)


def test_theil_sen_slope_agrees_with_scipy() -> None:
    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(0, 100, 60))
    y = 0.02 * x + rng.standard_t(2, 60)
    assert theil_sen_slope(x, y) == pytest.approx(sps.theilslopes(y, x).slope)


def test_trend_recovers_a_known_growth_rate_despite_outliers() -> None:
    rng = np.random.default_rng(5)
    t = -rng.uniform(0, 120, 200)
    slope = math.log(1.10) / 30  # +10% per 30 days
    logp = 6.0 + slope * t + rng.normal(0, 0.1, 200)
    logp[:10] += 3.0  # junk
    got = theil_sen_per_day(t, logp, min_span=14, min_points=5)
    assert got is not None
    assert pct_per_30d(got) == pytest.approx(10.0, abs=1.5)


def test_no_trend_over_too_short_a_span_or_too_few_comps() -> None:
    t = np.array([-10.0, -8.0, -5.0, -3.0, -1.0])
    y = np.arange(5.0)
    assert theil_sen_per_day(t, y, min_span=14, min_points=5) is None
    assert theil_sen_per_day(t * 10, y, min_span=14, min_points=6) is None
    assert theil_sen_per_day(t * 10, y, min_span=14, min_points=5) is not None


def test_trend_bins_many_days_and_stays_right() -> None:
    t = -np.arange(0, 3000, 0.5)
    y = 0.001 * t
    assert theil_sen_per_day(t, y, min_span=14, min_points=5) == pytest.approx(0.001, rel=1e-3)


def test_iqr_fences_are_tukeys() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])  # Q1 2, Q3 4
    assert iqr_fences(x, 1.5) == pytest.approx((-1.0, 7.0))
    assert iqr_fences(x, 1.5, min_iqr=4.0) == pytest.approx((-4.0, 10.0))


def test_outliers_need_at_least_four_comps() -> None:
    assert outlier_mask(np.log([10.0, 11.0, 1000.0])) is None
    mask = outlier_mask(np.log([10.0, 11.0, 12.0, 10.5, 1000.0]))
    assert mask is not None and mask.tolist() == [False, False, False, False, True]

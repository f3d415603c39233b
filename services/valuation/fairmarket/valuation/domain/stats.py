"""Weighted order statistics, the interval of the median, and the trend.

All robust and distribution-free: collectible prices are skewed, heavy-tailed
and few, so nothing here assumes normality.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy import stats as sps

F8 = npt.NDArray[np.float64]

SECONDS_PER_DAY = 86_400.0
_MAX_TREND_POINTS = 400  # Theil-Sen is quadratic: bin days beyond this


def weighted_quantiles(values: F8, weights: F8, qs: F8 | list[float]) -> F8:
    """Quantiles of ``values`` sorted ascending, with positive ``weights``.

    The q-quantile is the first value whose cumulative weight reaches q of the
    total, or the mean of it and the next when it reaches exactly q (so equal
    weights give the ordinary median of an even count). Unlike interpolating
    between comps, this never moves down when a comp above it is added.
    """
    cum = np.cumsum(weights)
    total = float(cum[-1])
    target = np.asarray(qs, dtype=np.float64) * total
    tol = total * 1e-12
    last = len(values) - 1
    k = np.minimum(np.searchsorted(cum, target - tol, side="left"), last)
    exact = (np.abs(cum[k] - target) <= tol) & (k < last)
    upper = values[np.minimum(k + 1, last)]
    return np.where(exact, 0.5 * (values[k] + upper), values[k])


def weighted_mean(values: F8, weights: F8) -> float:
    return float(np.dot(values, weights) / weights.sum())


def effective_n(weights: F8) -> float:
    """Kish's effective sample size: how many equal-weight comps these are worth."""
    total = float(weights.sum())
    return total * total / float(np.dot(weights, weights)) if total > 0 else 0.0


@lru_cache(maxsize=4096)
def median_ci_levels(n: int, level: float = 0.95) -> tuple[float, float]:
    """Quantile levels bounding a distribution-free interval of the median.

    The interval [X_(l), X_(n-l+1)] holds the true median with probability
    1 - 2 P(Binomial(n, 1/2) <= l - 1); ``l`` is the largest rank keeping that at
    least ``level``. Ranks are turned into levels at the middle of each order
    statistic's mass (the same order statistic when weights are equal), so
    weighted data (``n`` = effective size) use the same rule. Below 6 comps no
    rank works and the interval is the whole range.
    """
    if n < 1:
        return 0.0, 1.0
    alpha = (1.0 - level) / 2.0
    if n > 5000:
        j = math.floor(n / 2.0 - sps.norm.ppf(1.0 - alpha) * math.sqrt(n) / 2.0) - 1
    else:
        k = int(sps.binom.ppf(alpha, n, 0.5))
        j = k if sps.binom.cdf(k, n, 0.5) <= alpha else k - 1
    lower_rank = max(1, j + 1)
    if lower_rank == 1:
        return 0.0, 1.0
    q_lo = (lower_rank - 0.5) / n
    return q_lo, 1.0 - q_lo


def theil_sen_per_day(t_days: F8, logp: F8, *, min_span: float, min_points: int) -> float | None:
    """Theil-Sen slope of log price per day, or ``None`` when the comps span too
    little time or are too few to say anything about a trend."""
    return grouped_theil_sen([(t_days, logp)], min_span=min_span, min_points=min_points)


def grouped_theil_sen(
    groups: list[tuple[F8, F8]], *, min_span: float, min_points: int
) -> float | None:
    """One Theil-Sen slope common to several groups (e.g. two grades of a card):
    the median of the pairwise slopes taken within each group only, so that the
    groups' different levels do not pass for a trend (Sen's estimator for
    grouped data, as in the seasonal Kendall test).

    Comps are first averaged per day (several sales on one day are one point in
    time), and days are binned further beyond a few hundred points, which keeps
    the quadratic estimator fast on any volume.
    """
    if sum(len(t) for t, _ in groups) < min_points:
        return None
    slopes = []
    for t_days, y in groups:
        if len(t_days) < 2:
            continue
        lo, hi = float(t_days.min()), float(t_days.max())
        if hi - lo < min_span:
            continue
        width = max(1.0, math.ceil((hi - lo + 1.0) / _MAX_TREND_POINTS))
        bins = np.floor((t_days - lo) / width).astype(np.intp)
        counts = np.bincount(bins)
        sums = np.bincount(bins, weights=y)
        present = counts > 0
        x = (np.flatnonzero(present) + 0.5) * width
        slopes.append(pair_slopes(x, sums[present] / counts[present]))
    pooled = np.concatenate(slopes) if slopes else np.zeros(0)
    if len(pooled) < 3:  # fewer than three distinct days in any group
        return None
    return float(np.median(pooled))


def pair_slopes(x: F8, y: F8) -> F8:
    """Slopes between all pairs of points with distinct x."""
    i, j = np.triu_indices(len(x), k=1)
    dx = x[j] - x[i]
    keep = dx != 0
    return (y[j] - y[i])[keep] / dx[keep]


def theil_sen_slope(x: F8, y: F8) -> float:
    """The median of the slopes between all pairs of points with distinct x.

    The same estimate as ``scipy.stats.theilslopes(y, x).slope`` (the tests
    check it), without the confidence interval scipy computes on every call,
    which would cost more than the rest of a valuation of a few hundred comps.
    """
    return float(np.median(pair_slopes(x, y)))


def pct_per_30d(slope_per_day: float) -> float:
    """A log-price slope per day as a percent change per 30 days."""
    return (math.exp(30.0 * slope_per_day) - 1.0) * 100.0

"""A robust local level of log price: the FMV of an item that sells often.

A Kalman filter over the item's sales in time order. The level drifts as a
random walk (``q`` per day, in squared log units), each sale observes it with
noise ``r`` (estimated from the series itself, larger for comps that weigh
less), and an innovation further than ``huber_c`` standard deviations from the
prediction is clipped (a Huber update), so that one stray price moves the
level only a little. Quiet items keep the last sales' level; noisy ones average
more sales, without a fixed day window. With ``damping`` set, a slope is
carried too and fades by that factor per day (a mean-reverting trend).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F8 = npt.NDArray[np.float64]

_MAD_TO_SD = 1.4826


@dataclass(frozen=True, slots=True)
class Level:
    log_level: float  # the filtered log price after the last sale
    variance: float  # its variance (squared log units)
    noise: float  # one sale's observation variance r
    sales: int  # sales the filter read


def observation_noise(logp: F8, default: float, floor: float, min_diffs: int = 4) -> float:
    """One sale's noise variance from successive differences of log prices
    (a robust scale: half the squared MAD-based sd of the differences, which a
    slow drift barely inflates); ``default`` when there are too few of them.
    It sets the filter's gain; the range uses ``spread_noise``, since a sale
    inserted between two others replaces one difference by two and so can raise
    this estimate even when it sits exactly at the level."""
    d = np.diff(logp)
    if len(d) < min_diffs:
        return max(default, floor)
    mad = float(np.median(np.abs(d - np.median(d))))
    return max((_MAD_TO_SD * mad) ** 2 / 2.0, floor)


def half_width(x: F8, k: int) -> float:
    """Half the width of the narrowest interval holding ``k`` of the sorted ``x``."""
    if k <= 1:
        return 0.0
    return float(np.min(x[k - 1 :] - x[: len(x) - k + 1])) / 2.0


def spread_noise(
    t_days: F8, logp: F8, *, window_days: float, default: float, prior_sales: int, floor: float
) -> float:
    """One sale's noise variance for the range: the robust spread of the sales
    of the ``window_days`` up to the newest one, ``(1.4826 x s)^2`` with ``s``
    the least median absolute deviation from any centre (half the shortest
    half, as in least median of squares), ``prior_sales`` pseudo-sales at the
    ``default``'s sd taking part in the median so that a few sales lean on it.

    Why not the deviations around the level, or successive differences: adding
    a sale moves the level, and a sale inserted between two others replaces one
    difference by two, so either can rise when a sale agrees with the value.
    This one cannot rise when the new sale falls in the shortest half, where
    the value's sales cluster: more sales agreeing with the value do not widen
    the range nor lower the confidence."""
    x = np.sort(logp[t_days >= float(t_days.max()) - window_days])
    n, m = len(x), max(prior_sales, 0)
    rank = (n + m) // 2 + 1  # the median's rank among the sales and pseudo-sales
    candidates = [half_width(x, rank)] if rank <= n else []
    if m:
        candidates.append(max(math.sqrt(default) / _MAD_TO_SD, half_width(x, rank - m)))
    return max((_MAD_TO_SD * min(candidates)) ** 2, floor)


def local_level(
    t_days: F8,
    logp: F8,
    weight: F8,
    *,
    q: float,
    huber_c: float,
    noise_default: float,
    noise_floor: float,
    damping: float | None = None,
    slope_q: float = 1e-5,
    noise: float | None = None,
) -> Level | None:
    """Filter sales sorted by time (``t_days`` ascending); ``weight`` in (0, 1]
    scales each sale's precision; ``noise`` fixes r instead of estimating it.
    ``None`` without sales."""
    n = len(logp)
    if n == 0:
        return None
    r = noise if noise is not None else observation_noise(logp, noise_default, noise_floor)
    rel = weight / float(weight.max())
    x = np.array([float(logp[0]), 0.0])
    p = np.array([[r / rel[0], 0.0], [0.0, 1e-3 if damping is not None else 0.0]])
    for i in range(1, n):
        dt = max(float(t_days[i] - t_days[i - 1]), 0.0)
        if damping is not None:
            f = np.array([[1.0, dt], [0.0, damping**dt]])
            x = f @ x
            p = f @ p @ f.T + np.diag([q * dt, slope_q * dt])
        else:
            p = p + np.array([[q * dt, 0.0], [0.0, 0.0]])
        s = p[0, 0] + r / rel[i]
        innovation = float(logp[i] - x[0])
        bound = huber_c * math.sqrt(s)
        innovation = max(-bound, min(bound, innovation))
        k = p[:, 0] / s
        x = x + k * innovation
        p = p - np.outer(k, p[0, :])
    return Level(float(x[0]), float(max(p[0, 0], 0.0)), r, n)


def forward_scale(level: Level, *, q: float, days_ahead: float, later_sales: int = 3) -> float:
    """Standard deviation (log units) of the level against the median of the
    sales of the next ``2 x days_ahead`` days: the level's own variance, its drift
    since the last sale and until mid-horizon, and the noise of a median of
    ``later_sales`` sales. The range multiplies it by quantiles learned out of sample."""
    return math.sqrt(level.variance + q * max(days_ahead, 0.0) + level.noise / later_sales)

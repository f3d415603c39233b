"""Where the next fortnight's sales will settle: the level, its range, the volume.

When the value rests on sales alone (modes "recent" and "thin" without
listings), the FMV is the robust local level of the item's sales in the
lookback (see ``level``), kept within the p10-p90 of the comps the value rests
on. Otherwise (rare sales, listings filling in) it stays the weighted median.
Either way the valuation carries a forward scale (log sd) and an 80% range,
``fmv x exp(z_lo x scale)`` to ``fmv x exp(z_hi x scale)``, whose quantiles
``z`` were learned out of sample per volume band (sales in the last 30 days) by
``fairmarket valuation accuracy``; the range is what the item will likely sell
for, not the spread of past sales (p10-p90).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from fairmarket.valuation.domain.assess import Assessment
from fairmarket.valuation.domain.level import Level, forward_scale, local_level, spread_noise
from fairmarket.valuation.domain.model import Reason
from fairmarket.valuation.domain.params import MethodParams
from fairmarket.valuation.domain.stats import weighted_quantiles

F8 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]

_Z90 = 2.5631  # ln(p90 / p10) of a normal, in sd


@dataclass(frozen=True, slots=True)
class Forward:
    level: float | None  # the filtered level (cents), None when the median stands
    level_sales: int  # sales the level read
    scale: float  # log sd of the value against the next fortnight's median
    recent_sales: int  # sales in the last ``range_volume_days``
    band: int  # index into ``params.range_bands``


def ew_median(x: F8, age: F8, half_life: float) -> float:
    """Median of ``x`` with weights halving every ``half_life`` days of age."""
    order = np.argsort(x, kind="stable")
    w = np.exp2(-age[order] / half_life)
    return float(weighted_quantiles(x[order], w, [0.5])[0])


def level_sales(a: Assessment, params: MethodParams) -> B1:
    """The sales the level reads: every usable sale of the pool's grades in the
    lookback (not only the window). Of the window's outliers only those beyond
    wider fences are left out: the Huber update already limits a stray price,
    and a real jump fenced out at 1.5 IQR is news the level should hear."""
    near = (a.reason == Reason.OUTLIER) & ~a.far
    ok = (a.reason == Reason.USED) | (a.reason == Reason.OUTSIDE_WINDOW) | near
    return ok & (a.frame.kind <= 1) & (a.age >= 0) & (a.age <= params.lookback_days)


def volume_band(recent_sales: int, params: MethodParams) -> int:
    """The index of the last band whose lower bound ``recent_sales`` reaches."""
    band = 0
    for i, (low, _, _) in enumerate(params.range_bands):
        if recent_sales >= low:
            band = i
    return band


def range_level(
    lv: Level, t: F8, logp: F8, w: F8, kw: dict[str, Any], params: MethodParams
) -> Level:
    """``lv`` with the noise and variance the range rests on: the spread of the
    recent sales (``spread_noise``), not the successive differences that set
    the filter's gain, so that sales agreeing with the value do not widen it."""
    r = spread_noise(t, logp, window_days=params.range_volume_days,
                     default=params.level_noise_default,
                     prior_sales=params.level_noise_prior_sales,
                     floor=params.level_noise_floor)  # fmt: skip
    same = local_level(t, logp, w, **kw, noise=r)
    assert same is not None  # lv exists, so there are sales
    return replace(lv, variance=same.variance, noise=r)


def forward(a: Assessment, used: B1, log_spread: float | None, params: MethodParams) -> Forward:
    """The level (when sales alone carry the value), scale and volume band."""
    sales = level_sales(a, params)
    recent = int(np.count_nonzero(sales & (a.age <= params.range_volume_days)))
    band = volume_band(recent, params)
    listings_in_pool = bool(np.any(used & (a.frame.kind > 1)))
    ahead = params.range_horizon_days / 2.0
    by_level = params.level_enabled and a.selection.mode in ("recent", "thin")
    if by_level and not listings_in_pool and sales.any():
        idx = np.flatnonzero(sales)
        logp = np.log(np.maximum(a.grades.adjusted[idx], 1.0))
        w = (a.base * a.grades.weight)[idx]
        t = -a.age[idx]
        order = np.lexsort((w, logp, t))[-params.level_max_sales :]
        damping = params.level_damping
        if params.level_damping_below is not None and recent >= params.level_damping_below:
            damping = None
        ts, lps, ws = t[order], logp[order], w[order]
        kw = {"q": params.level_q, "huber_c": params.level_huber_c, "damping": damping,
              "noise_default": params.level_noise_default,
              "noise_floor": params.level_noise_floor}  # fmt: skip
        lv = local_level(ts, lps, ws, **kw)
        if lv is not None:
            newest = float(a.age[idx].min())
            scale = forward_scale(range_level(lv, ts, lps, ws, kw, params),
                                  q=params.level_q, days_ahead=newest + ahead)  # fmt: skip
            centre = lv.log_level
            if params.level_blend:
                lp, ages = logp[order], a.age[idx][order]
                ew = ew_median(lp, ages, 7.0)
                centre = float(np.median([centre, float(np.median(lp[-3:])), ew]))
            return Forward(math.exp(centre), lv.sales, scale, recent, band)
    # the weighted median stands: its scale from the spread of the comps and their age
    sd = (log_spread / _Z90) if log_spread is not None else 0.0
    var = max(sd * sd, params.level_noise_default)
    n = max(int(np.count_nonzero(used)), 1)
    age = float(np.median(a.age[used])) if n and used.any() else 0.0
    scale = math.sqrt(var * (1.0 + 1.0 / n) + params.level_q * (age + ahead))
    return Forward(None, 0, scale, recent, band)


def price_range(fmv: float, fw: Forward, params: MethodParams) -> tuple[float, float]:
    """The 80% forward range around ``fmv`` for this volume band."""
    _, z_lo, z_hi = params.range_bands[fw.band]
    return fmv * math.exp(z_lo * fw.scale), fmv * math.exp(z_hi * fw.scale)

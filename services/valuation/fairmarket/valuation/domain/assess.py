"""Every comp's fate and weight: eligibility, grades, the pool, trend, outliers.

The figures are computed from this by ``summary``; keeping the two apart lets
the tests and the API look at why each comp counts as it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from fairmarket.valuation.domain.frame import CompFrame, dedupe
from fairmarket.valuation.domain.grades import GradeResult, adjust_grades, normalize_grade
from fairmarket.valuation.domain.hashing import comp_digests, inputs_hash
from fairmarket.valuation.domain.model import Reason
from fairmarket.valuation.domain.outliers import outlier_mask
from fairmarket.valuation.domain.params import MethodParams
from fairmarket.valuation.domain.stats import SECONDS_PER_DAY, theil_sen_per_day
from fairmarket.valuation.domain.weights import base_weight, half_life_for, recency
from fairmarket.valuation.domain.windows import Selection, select

F8 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Assessment:
    """Every comp's fate and weight, before the figures are computed."""

    frame: CompFrame  # deduplicated
    as_of: datetime
    grade: str | None  # normalized
    inputs_hash: str
    age: F8  # days before as_of
    reason: npt.NDArray[np.int8]  # Reason per comp; USED for the comps the value rests on
    weight: F8  # final weight (meaningful where used)
    base: F8  # weight before recency and grade: reputation x kind x format x match
    grades: GradeResult
    selection: Selection
    slope_per_day: float | None  # Theil-Sen trend of log price
    screened: bool  # False: too few comps to look for outliers
    far: B1  # outliers beyond the wider fences the level uses (``level_outlier_k``)


def assess(
    frame: CompFrame, *, as_of: datetime, params: MethodParams, grade: str | None
) -> Assessment:
    key = normalize_grade(grade)
    digests = comp_digests(frame, with_grade=key is not None)
    keep = dedupe(frame, digests)
    if len(keep) < len(frame):
        frame, digests = frame.take(keep), digests[keep]
    f = frame
    age = (as_of.timestamp() - f.t) / SECONDS_PER_DAY
    base = base_weight(f.reputation, f.kind, f.fmt, f.bids, f.match, params)
    reason = np.zeros(len(f), dtype=np.int8)

    def mark(mask: B1, why: Reason) -> None:
        reason[(reason == Reason.USED) & mask] = why

    mark(f.excluded, Reason.EXCLUDED)
    mark(f.filtered, Reason.FILTERED)
    mark(age < 0, Reason.FUTURE)
    mark(~(f.price > 0), Reason.NO_PRICE)
    mark(f.kind < 0, Reason.UNKNOWN_KIND)
    mark(~(base > 0), Reason.ZERO_WEIGHT)
    is_sale = f.kind <= 1
    learnable = (reason == Reason.USED) & is_sale & (age <= params.lookback_days)
    g = adjust_grades(f.price, f.grade, f.grades, key, learnable, -age, params)
    mark(g.other, Reason.OTHER_GRADE)

    usable = reason == Reason.USED
    own = usable & (g.group < 0)
    sel = select(age, is_sale, own, digests, params)
    if sel.mode == "recent" or not g.adjustments:
        mark(usable & (g.group >= 0), Reason.GRADE_NOT_NEEDED)
    else:  # the item's own grade sells thinly: other grades, adjusted, fill in
        sel = select(age, is_sale, usable, digests, params)
    w = base * g.weight * recency(age, half_life_for(sel.window_days or 1.0, params))
    w = _cap_listings(w, sel)
    pool = (sel.sales | sel.listings) & (w > 0)
    waiting = reason == Reason.USED
    mark(waiting & ~pool & ~is_sale & (sel.mode == "recent"), Reason.NOT_BASIS)
    mark(waiting & ~pool, Reason.OUTSIDE_WINDOW)

    t_days = -age
    logp = np.log(np.maximum(g.adjusted, 1.0))
    trend_set = _trend_set(sel, reason, is_sale, age, params)
    slope = theil_sen_per_day(
        t_days[trend_set],
        logp[trend_set],
        min_span=params.trend_min_span_days,
        min_points=params.trend_min_comps,
    )
    idx = np.flatnonzero(pool)
    resid = logp[idx] - (slope or 0.0) * t_days[idx]
    out = outlier_mask(
        resid, k=params.iqr_k, min_comps=params.iqr_min_comps, min_iqr=params.iqr_min_log
    )
    far = np.zeros(len(f), dtype=np.bool_)
    if out is not None:
        reason[idx[out]] = Reason.OUTLIER
        wide = outlier_mask(
            resid, k=params.level_outlier_k, min_comps=params.iqr_min_comps,
            min_iqr=params.iqr_min_log,
        )  # fmt: skip
        if wide is not None:
            far[idx[wide]] = True
    return Assessment(
        frame=f,
        as_of=as_of,
        grade=key,
        inputs_hash=inputs_hash(
            digests[age >= 0],
            method=f"{params.method}|{params.fingerprint()}",
            as_of=as_of,
            grade=key,
        ),
        age=age,
        reason=reason,
        weight=w,
        base=base,
        grades=g,
        selection=sel,
        slope_per_day=slope,
        screened=out is not None,
        far=far,
    )


def _cap_listings(w: F8, sel: Selection) -> F8:
    """Scale asks and guides down so that they fill in for missing sales, but
    never outweigh the sales there are (their share is at most ``listing_cap``)."""
    if not (sel.listings.any() and sel.sales.any()):
        return w
    s_sales, s_list = float(w[sel.sales].sum()), float(w[sel.listings].sum())
    cap = sel.listing_cap
    if s_list <= 0 or s_list / (s_sales + s_list) <= cap:
        return w
    return np.where(sel.listings, w * cap * s_sales / ((1.0 - cap) * s_list), w)


def _trend_set(
    sel: Selection, reason: npt.NDArray[np.int8], is_sale: B1, age: F8, params: MethodParams
) -> B1:
    """Comps the trend is fitted on: when sales are plenty, every usable sale in
    at least ``trend_window_days`` (a 30-day window alone says little about a
    trend); otherwise the pool's sales, or its listings when there are none."""
    if sel.mode in ("recent", "thin"):
        reach = min(max(sel.window_days or 0.0, params.trend_window_days), params.lookback_days)
        usable = (reason == Reason.USED) | (reason == Reason.OUTSIDE_WINDOW)
        return usable & is_sale & (age <= reach)
    return sel.sales if sel.sales.any() else sel.listings

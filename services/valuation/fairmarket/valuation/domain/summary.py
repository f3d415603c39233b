"""The figures of a valuation, from the comps it rests on.

FMV = the robust level of the sales (``forward``), or the weighted median when
asks or rare sales carry the value, bounded by current asks when sales are
plenty; the 80% forward range; weighted p10/p50/p90 and mean; a
distribution-free 95% interval of the median; per-source medians; trend;
confidence; and the sentence that says all of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from fairmarket.valuation.domain import confidence as conf
from fairmarket.valuation.domain.assess import Assessment
from fairmarket.valuation.domain.explain import Facts, explain
from fairmarket.valuation.domain.forward import Forward, forward, price_range
from fairmarket.valuation.domain.frame import KINDS
from fairmarket.valuation.domain.model import (
    ConfidenceParts,
    PerComp,
    Reason,
    SourceStat,
    Valuation,
)
from fairmarket.valuation.domain.params import MethodParams
from fairmarket.valuation.domain.stats import (
    effective_n,
    median_ci_levels,
    pct_per_30d,
    weighted_mean,
    weighted_quantiles,
)
from fairmarket.valuation.domain.weights import kind_weight

F8 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]
_ASK, _GUIDE = KINDS.index("ask"), KINDS.index("guide")


def sorted_by_price(values: F8, weights: F8, mask: B1) -> tuple[npt.NDArray[np.intp], F8, F8]:
    """Masked comps by price; equal prices by weight, so ties never depend on input order."""
    idx = np.flatnonzero(mask)
    ii = idx[np.lexsort((weights[idx], values[idx]))]
    return ii, values[ii], weights[ii]


def _sources(a: Assessment, ii: npt.NDArray[np.intp], v: F8, ww: F8) -> tuple[SourceStat, ...]:
    codes = a.frame.source[ii]
    total = float(ww.sum())
    out = []
    for code in np.unique(codes).tolist():
        m = codes == code
        median = round(float(weighted_quantiles(v[m], ww[m], [0.5])[0]))
        share = round(float(ww[m].sum()) / total, 4)
        out.append(SourceStat(a.frame.sources[code], int(m.sum()), median, share))
    return tuple(sorted(out, key=lambda s: (-s.weight_share, s.source)))


def ask_cap(a: Assessment, params: MethodParams) -> float | None:
    """A low quantile of current asks: about what the item can be bought for now.
    ``None`` when there are too few current asks to trust it."""
    if params.ask_cap_quantile is None:
        return None
    f = a.frame
    asks = (a.reason == Reason.NOT_BASIS) & (f.kind == _ASK) & (a.age <= params.ask_cap_days)
    if int(np.count_nonzero(asks)) < params.ask_cap_min:
        return None
    _, v, ww = sorted_by_price(a.grades.adjusted, a.base * a.grades.weight, asks)
    return float(weighted_quantiles(v, ww, [params.ask_cap_quantile])[0])


def _basis(kinds: npt.NDArray[np.int8]) -> str:
    present = set(np.unique(kinds).tolist())
    if not present:
        return "none"
    if present <= {0, 1}:
        return "sold"
    return {frozenset({_ASK}): "ask", frozenset({_GUIDE}): "guide"}.get(frozenset(present), "mixed")


def _listing_kind(kinds: set[int]) -> str:
    if kinds == {_GUIDE}:
        return "guide values"
    return "asks and guide values" if _GUIDE in kinds else "asking prices"


@dataclass(frozen=True, slots=True)
class _Figures:
    fmv: int
    p10: int
    p50: int
    p90: int
    mean: int
    ci_lo: int
    ci_hi: int
    ask_cap: int | None  # set when current asks capped the value
    low: int  # the 80% forward range
    high: int
    forward: Forward


def _figures(a: Assessment, v: F8, ww: F8, used: B1, params: MethodParams) -> _Figures:
    p10, p50, p90 = (float(x) for x in weighted_quantiles(v, ww, [0.1, 0.5, 0.9]))
    q_lo, q_hi = median_ci_levels(max(1, math.floor(effective_n(ww) + 1e-9)))
    ci_lo, ci_hi = (float(x) for x in weighted_quantiles(v, ww, [q_lo, q_hi]))
    spread = math.log(max(p90, 1.0) / max(p10, 1.0)) if len(v) >= 3 else None
    fw = forward(a, used, spread, params)
    # the level, kept within the central 80% of the sales the value rests on
    centre = p50 if fw.level is None else min(max(fw.level, p10), p90)
    fmv, capped = centre, None
    cap = ask_cap(a, params) if a.selection.mode == "recent" else None
    if cap is not None and cap < centre:
        fmv = max(cap, min(p10, centre))  # asks bound the value, down to the sales' p10 at most
        capped = _cents(fmv)
    low, high = price_range(fmv, fw, params)
    c = _cents
    return _Figures(
        fmv=c(fmv), p10=c(p10), p50=c(p50), p90=c(p90), mean=c(weighted_mean(v, ww)),
        ci_lo=c(ci_lo), ci_hi=c(ci_hi), ask_cap=capped, low=c(low), high=c(high), forward=fw,
    )  # fmt: skip


def _cents(x: float) -> int:
    """Whole cents, never zero: a price is at least a cent."""
    return max(1, round(x))


@dataclass(frozen=True, slots=True)
class _Trust:
    parts: ConfidenceParts
    confidence: int
    sold_ratio: float  # weight share of sales
    newest_age: float
    typical_age: float  # weighted median age


def _near_outliers(a: Assessment, fig: _Figures) -> int:
    """Sales fenced out at 1.5 IQR but inside the wider fences, when the level
    (which reads them) carries the value: evidence all the same, so that sales
    at the value, which narrow the fences, never lower the count they add to."""
    if fig.forward.level is None:
        return 0
    near = (a.reason == Reason.OUTLIER) & ~a.far & (a.frame.kind <= 1)
    return int(np.count_nonzero(near))


def _trust(
    a: Assessment, ii: npt.NDArray[np.intp], ww: F8, fig: _Figures, params: MethodParams
) -> _Trust:
    kinds = a.frame.kind[ii]
    sale = kinds <= 1
    sold_ratio = round(float(ww[sale].sum() / ww.sum()), 4)
    ages = a.age[ii]
    by_age = np.argsort(ages, kind="stable")
    typical_age = float(weighted_quantiles(ages[by_age], ww[by_age], [0.5])[0])
    sold_w = params.kind_weights.get("sold", 1.0) or 1.0
    relative = np.minimum(kind_weight(kinds, params) / sold_w, 1.0)
    parts = conf.components(
        evidence=int(sale.sum()) + float(relative[~sale].sum()) + _near_outliers(a, fig),
        reputation=weighted_mean(np.minimum(a.frame.reputation[ii], 1.0), ww),
        sold_ratio=sold_ratio,
        log_spread=math.log(fig.high / fig.low) if len(ii) >= 3 else None,
        typical_age_days=typical_age,
        params=params,
    )
    rare = a.selection.mode == "rare"
    confidence = conf.score(parts, sold_ratio=sold_ratio, rare=rare, params=params)
    return _Trust(parts, confidence, sold_ratio, float(ages.min()), typical_age)


def summarize(a: Assessment, params: MethodParams) -> Valuation:
    f, reason = a.frame, a.reason
    used = reason == Reason.USED
    ii, v, ww = sorted_by_price(a.grades.adjusted, a.weight, used)
    present = a.age >= 0
    n_excluded = int(np.count_nonzero(f.excluded & present))
    n_filtered = int(np.count_nonzero((f.filtered | f.excluded) & present))
    adjustments = tuple(
        replace(adj, comps=n)
        for k, adj in enumerate(a.grades.adjustments)
        if (n := int(np.count_nonzero(a.grades.group[ii] == k)))
    )
    no_ratio = int(np.count_nonzero(reason == Reason.OTHER_GRADE))
    not_needed = int(np.count_nonzero(reason == Reason.GRADE_NOT_NEEDED))
    kinds = f.kind[ii]
    n_used, n_sales = len(ii), int(np.count_nonzero(kinds <= 1))
    outliers = int(np.count_nonzero(reason == Reason.OUTLIER))
    fig = _figures(a, v, ww, used, params) if n_used else None
    trust = _trust(a, ii, ww, fig, params) if fig else None
    mode = a.selection.mode if n_used else "none"
    window = a.selection.window_days if n_used else None
    sources = _sources(a, ii, v, ww) if n_used else ()
    slope = a.slope_per_day
    trend = round(pct_per_30d(slope), 2) if slope is not None and n_used else None
    confidence = trust.confidence if trust else 1
    parts = trust.parts if trust else conf.NO_EVIDENCE
    sold_ratio = trust.sold_ratio if trust else 0.0
    facts = Facts(
        mode=mode,
        window_days=window,
        n_sales=n_sales,
        n_listings=n_used - n_sales,
        listing_kind=_listing_kind(set(np.unique(kinds[kinds > 1]).tolist())),
        sources=tuple(s.source for s in sources),
        outliers=outliers,
        screened=a.screened,
        fmv=(fig.fmv if fig else None),
        p10=(fig.p10 if fig else None),
        p50=(fig.p50 if fig else None),
        p90=(fig.p90 if fig else None),
        ask_cap=(fig.ask_cap if fig else None),
        low=(fig.low if fig else None),
        high=(fig.high if fig else None),
        level_sales=(fig.forward.level_sales if fig else 0),
        trend_pct=trend,
        newest_age_days=(trust.newest_age if trust else None),
        typical_age_days=(trust.typical_age if trust else None),
        confidence=confidence,
        parts=parts,
        sold_ratio=sold_ratio,
        grade=a.grade,
        grade_adjustments=adjustments,
        grade_left_out=no_ratio,
        grade_not_needed=not_needed,
        filtered=n_filtered - n_excluded,
        excluded=n_excluded,
    )
    return Valuation(
        method=params.method,
        as_of=a.as_of,
        fmv_usd_cents=(fig.fmv if fig else None),
        p10_usd_cents=(fig.p10 if fig else None),
        p50_usd_cents=(fig.p50 if fig else None),
        p90_usd_cents=(fig.p90 if fig else None),
        mean_usd_cents=(fig.mean if fig else None),
        ci95_low_usd_cents=(fig.ci_lo if fig else None),
        ci95_high_usd_cents=(fig.ci_hi if fig else None),
        comps_total=int(np.count_nonzero(present)),
        comps_used=n_used,
        comps_outliers=outliers,
        comps_filtered=n_filtered,
        sold_ratio=sold_ratio,
        basis=_basis(kinds),
        sources=sources,
        trend_pct_per_30d=trend,
        confidence=confidence,
        components=parts,
        explanation=explain(facts),
        inputs_hash=a.inputs_hash,
        mode=mode,
        window_days=window,
        grade=a.grade,
        grade_adjustments=adjustments,
        grade_left_out=no_ratio + not_needed,
        ask_cap_usd_cents=(fig.ask_cap if fig else None),
        fmv_low_usd_cents=(fig.low if fig else None),
        fmv_high_usd_cents=(fig.high if fig else None),
        range_scale=(round(fig.forward.scale, 6) if fig else None),
        recent_sales=(fig.forward.recent_sales if fig else 0),
        level_sales=(fig.forward.level_sales if fig else 0),
        per_comp=PerComp(
            f.ids, np.where(used, a.weight, 0.0), reason, a.grades.adjusted, _ratios(a)
        ),
    )


def _ratios(a: Assessment) -> F8:
    """Per comp, the grade ratio its price was scaled by (NaN: none)."""
    table = np.array([adj.ratio for adj in a.grades.adjustments] + [np.nan])
    return table[a.grades.group]  # group -1 picks the trailing NaN

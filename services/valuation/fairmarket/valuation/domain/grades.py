"""Grades: compare them, and learn what one grade is worth against another.

Whether two grade strings mean the same grade ("MS-63" = "MS63", "PF69" = "PR69",
"Near Mint (NM or M-)" = "NM", "Beckett 9.5" = "BGS 9.5") is decided by the one scale
the collector also reads grades with (`fairmarket.common.grades`). A comp of another
grade is used only through a price ratio learned from comps of both grades of the item.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fairmarket.common.grades import normalize_grade
from fairmarket.valuation.domain.model import GradeAdjustment
from fairmarket.valuation.domain.params import MethodParams
from fairmarket.valuation.domain.stats import grouped_theil_sen

F8 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]

__all__ = ["GradeResult", "adjust_grades", "learn_ratio", "normalize_grade"]


def learn_ratio(
    t_days: F8,
    logp: F8,
    in_target: B1,
    in_other: B1,
    *,
    min_comps: int,
    trend_min_span: float,
) -> float | None:
    """Price of the target grade over the other grade, from comps of both.

    Time-matched: a trend common to both grades is fitted (Theil-Sen on pairs
    within each grade), and the ratio is the difference of the grades' median
    log prices once that trend is removed. Without it, a grade sold mostly
    last year would look cheap in a rising market. ``None`` when either grade
    has fewer than ``min_comps`` comps.
    """
    if int(in_target.sum()) < min_comps or int(in_other.sum()) < min_comps:
        return None
    tt, lt = t_days[in_target], logp[in_target]
    to, lo = t_days[in_other], logp[in_other]
    slope = grouped_theil_sen(
        [(tt, lt), (to, lo)], min_span=trend_min_span, min_points=2 * min_comps
    )
    b = slope or 0.0
    diff = float(np.median(lt - b * tt) - np.median(lo - b * to))
    return float(np.exp(diff))


@dataclass(frozen=True, slots=True)
class GradeResult:
    adjusted: F8  # price after grade ratios (cents)
    weight: F8  # 1, or the reduced weight of grade-adjusted comps
    other: B1  # another grade, and no ratio could be learned: left out
    adjustments: tuple[GradeAdjustment, ...]  # comps: how many of that grade there are
    group: npt.NDArray[np.intp]  # per comp: index into adjustments, or -1


def adjust_grades(
    price: F8,
    grade_code: npt.NDArray[np.int32],
    labels: tuple[str, ...],
    item_grade: str | None,
    learnable: B1,
    t_days: F8,
    params: MethodParams,
) -> GradeResult:
    """Bring comps of other grades to the item's grade, or leave them out.

    ``grade_code`` indexes ``labels`` (-1: no grade; such comps are kept as
    they are, since the collector matched them to this item). ``learnable``
    marks the comps ratios may be learned from (usable sales in the lookback).
    Adjusted comps weigh less: they are indirect evidence.
    """
    n = len(price)
    ones = np.ones(n)
    if item_grade is None or not labels:
        return GradeResult(price, ones, np.zeros(n, np.bool_), (), np.full(n, -1, np.intp))
    keys = [normalize_grade(g) for g in labels]
    others = sorted({k for k in keys if k is not None and k != item_grade})
    code_other = np.array([others.index(k) if k in others else -1 for k in keys] + [-1])
    comp_other = code_other[grade_code]  # index into others, or -1
    same = np.array([k == item_grade for k in keys] + [False])[grade_code]
    logp = np.log(np.maximum(price, 1.0))
    adjusted, weight, other = price.copy(), ones, comp_other >= 0
    adjustments: list[GradeAdjustment] = []
    group_of = np.full(n, -1, np.intp)
    for code, name in enumerate(others):
        group = comp_other == code
        ratio = learn_ratio(
            t_days,
            logp,
            learnable & same,
            learnable & group,
            min_comps=params.grade_min_comps,
            trend_min_span=params.trend_min_span_days,
        )
        if ratio is None:
            continue
        adjusted[group] *= ratio
        weight[group] = params.grade_adjusted_weight
        other &= ~group
        group_of[group] = len(adjustments)
        adjustments.append(GradeAdjustment(name, item_grade, round(ratio, 4), int(group.sum())))
    return GradeResult(adjusted, weight, other, tuple(adjustments), group_of)

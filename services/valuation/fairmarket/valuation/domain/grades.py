"""Grades: compare them, and learn what one grade is worth against another.

The normalizer only has to decide whether two grade strings mean the same grade
("MS-63" = "MS63", "Near Mint (NM or M-)" = "NM", "Beckett 9.5" = "BGS 9.5");
the collector owns the full grade scales. A comp of another grade is used only
through a price ratio learned from comps of both grades of the same item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fairmarket.valuation.domain.model import GradeAdjustment
from fairmarket.valuation.domain.params import MethodParams
from fairmarket.valuation.domain.stats import grouped_theil_sen

F8 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]

_CARD = re.compile(
    r"\b(PSA|BGS|BVG|BECKETT|SGC|CGC|CSG|HGA|TAG|GMA|KSA|ISA|AGS)\s*-?\s*"
    r"(?:GEM\s*(?:MINT|MT)\s*|MINT\s*|NM-MT\s*|NM\s*)?(\d{1,2}(?:\.\d+)?)"
    r"(?:\s*\(?(OC|MC|ST|PD|OF|MK)\)?)?\b"
)
_SHELDON = re.compile(
    r"(?<![A-Z])(MS|PR|PF|SP|AU|XF|EF|VF|VG|AG|FR|FA|PO|F|G|P)\s*-?\s*(\d{1,2})(\+)?"
    r"(?:\s*(RD|RB|BN|DCAM|UCAM|CAM|DMPL|PL|FB|FH|FS|FBL)\b)?"
)
_SHELDON_ALIAS = {"PF": "PR", "EF": "XF", "FA": "FR", "PO": "P"}
_CARD_ALIAS = {"BECKETT": "BGS"}
_WORDS: tuple[tuple[str, str], ...] = (
    ("UNGRADED", "RAW"),
    ("RAW", "RAW"),
    ("VERY GOOD PLUS", "VG+"),
    ("VERY GOOD", "VG"),
    ("GOOD PLUS", "G+"),
    ("NEAR MINT", "NM"),
    ("NM-MT", "NM"),
    ("NM/M", "NM"),
    ("MINT", "M"),
    ("EX-MT", "EX-MT"),
    ("EXCELLENT", "EX"),
    ("LIGHTLY PLAYED", "LP"),
    ("SLIGHTLY PLAYED", "LP"),
    ("MODERATELY PLAYED", "MP"),
    ("HEAVILY PLAYED", "HP"),
    ("DAMAGED", "DMG"),
    ("GOOD", "G"),
    ("FAIR", "F"),
    ("POOR", "P"),
)
_SHORT = {
    "M": "M",
    "M-": "NM",
    "NM": "NM",
    "VG+": "VG+",
    "VG": "VG",
    "G+": "G+",
    "G": "G",
    "F": "F",
    "P": "P",
    "EX": "EX",
    "LP": "LP",
    "MP": "MP",
    "HP": "HP",
    "DMG": "DMG",
    "0": "RAW",
}


def _number(text: str) -> str:
    value = float(text)
    return str(int(value)) if value == int(value) else f"{value:g}"


def normalize_grade(grade: str | None) -> str | None:
    """A canonical key for a grade string, or ``None`` when there is none.

    Card grades keep their grader ("PSA 10", "BGS 9.5", "PSA 8 OC"); coin grades
    drop it (an NGC and a PCGS MS63 trade alike) and keep prefix, number, plus
    and designation ("MS63", "PR69 DCAM", "MS65 RD"); conditions become short
    codes ("NM", "VG+", "LP"). Anything else is compared as cleaned text.
    """
    if grade is None:
        return None
    text = " ".join(grade.upper().replace("_", " ").split())
    if not text:
        return None
    if m := _CARD.search(text):
        grader = _CARD_ALIAS.get(m.group(1), m.group(1))
        key = f"{grader} {_number(m.group(2))}"
        return f"{key} {m.group(3)}" if m.group(3) else key
    if m := _SHELDON.search(text):
        number = int(m.group(2))
        if 1 <= number <= 70:
            key = _SHELDON_ALIAS.get(m.group(1), m.group(1)) + str(number) + (m.group(3) or "")
            return f"{key} {m.group(4)}" if m.group(4) else key
    bare = text.strip(" .")
    if bare in _SHORT:
        return _SHORT[bare]
    for phrase, key in _WORDS:
        if re.search(rf"(?<![A-Z]){re.escape(phrase)}(?![A-Z])", text):
            return key
    inside = re.findall(r"\(([^)]*)\)", text)
    for part in inside:
        for token in re.split(r"\s+OR\s+|/", part):
            if token.strip() in _SHORT:
                return _SHORT[token.strip()]
    return re.sub(r"[^A-Z0-9+.]+", "", text) or None


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

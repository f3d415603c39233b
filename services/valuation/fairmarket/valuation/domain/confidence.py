"""Confidence 1-10 as the sum of components a shop owner can read.

count 0-3 (how many comps, an ask or guide counting as a fraction of a sale),
reputation 0-2 (how trusted their sources are), sold_ratio 0-2 (how much of the
value rests on sales rather than asks), spread 0-3 (how narrow the likely range
of the next fortnight is: the measured predictor of the error),
recency <= 0 (a penalty when the comps the value rests on are old). Caps: at
most 7 when the value rests mostly on asks, and low when sales are rare.
"""

from __future__ import annotations

import math

from fairmarket.valuation.domain.model import ConfidenceParts
from fairmarket.valuation.domain.params import MethodParams

NO_EVIDENCE = ConfidenceParts(count=0.0, reputation=0.0, sold_ratio=0.0, spread=0.0, recency=0.0)


def count_score(n: float, target: int) -> float:
    """0-3 in proportion to the comps used; ``target`` comps score 3.

    The target is the number of sales that makes a window "enough", so a switch
    to a shorter window (which needs that many) never lowers this score.
    """
    return 3.0 * min(1.0, max(n, 0) / max(target, 1))


def spread_score(log_spread: float | None, n: float, params: MethodParams) -> float:
    """0-3 from ln(fmv_high / fmv_low): full at ``spread_tight``, none at ``spread_loose``,
    scaled down below ``sales_target`` comps, since a spread measured on a few
    comps is itself unsure. ``None`` (fewer than 3 comps) scores 0."""
    if log_spread is None:
        return 0.0
    span = params.spread_loose - params.spread_tight
    tight = min(1.0, max(0.0, (params.spread_loose - log_spread) / span))
    sure = min(1.0, max(0.0, (n - 1) / max(params.sales_target - 1, 1))) ** 0.5
    return 3.0 * tight * sure


def recency_score(typical_age_days: float | None, params: MethodParams) -> float:
    """0 when the value rests on recent comps; -1 per doubling of their typical
    (weighted median) age beyond ``recent_days``, at most -2: prices drift, so
    a value built from last season's sales is less sure today."""
    if typical_age_days is None or typical_age_days <= params.recent_days:
        return 0.0
    return -min(2.0, math.log2(typical_age_days / params.recent_days))


def components(
    *,
    evidence: float,
    reputation: float,
    sold_ratio: float,
    log_spread: float | None,
    typical_age_days: float | None,
    params: MethodParams,
) -> ConfidenceParts:
    """``evidence``: sales plus asks and guides at their kind weight relative to
    a sale; ``reputation``: weighted mean source reputation (1 = full trust);
    ``sold_ratio``: weight share of sales; ``log_spread``: ln(fmv_high / fmv_low), or
    ``None`` below 3 comps."""
    return ConfidenceParts(
        count=round(count_score(evidence, params.sales_target), 2),
        reputation=round(2.0 * min(1.0, max(0.0, reputation)), 2),
        sold_ratio=round(2.0 * min(1.0, max(0.0, sold_ratio)), 2),
        spread=round(spread_score(log_spread, evidence, params), 2),
        recency=round(recency_score(typical_age_days, params), 2),
    )


def score(parts: ConfidenceParts, *, sold_ratio: float, rare: bool, params: MethodParams) -> int:
    """The 1-10 confidence: the rounded sum, capped when asks dominate or sales are rare."""
    total = round(parts.total)
    if sold_ratio < 0.5:
        total = min(total, params.ask_confidence_cap)
    if rare:
        total = min(total, params.rare_confidence_cap)
    return int(min(10, max(1, total)))

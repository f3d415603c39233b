"""value(): from an item's comps to its fair market value, as of a moment.

The steps, each in its own module: columns and deduplication (frame), the
inputs hash (hashing), eligibility, grades, the pool by volume, weights, trend
and outliers (assess, with grades, windows, weights, stats, outliers), then
the level and its likely range (forward, level), the figures, confidence and
explanation (summary). Everything is measured from
``as_of`` so that history can be replayed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from fairmarket.valuation.domain.assess import assess
from fairmarket.valuation.domain.frame import CompFrame
from fairmarket.valuation.domain.model import Comp, Valuation
from fairmarket.valuation.domain.params import DEFAULT_PARAMS, MethodParams
from fairmarket.valuation.domain.summary import summarize


def value(
    comps: Sequence[Comp],
    *,
    as_of: datetime,
    params: MethodParams = DEFAULT_PARAMS,
    grade: str | None = None,
) -> Valuation:
    """Value an item from its comps as of ``as_of`` (tz-aware); ``grade`` is the
    item's own grade, if it has one. Never raises on odd comps: what cannot be
    used is reported per comp, and no usable comps gives no price."""
    return value_frame(CompFrame.from_comps(comps), as_of=as_of, params=params, grade=grade)


def value_frame(
    frame: CompFrame,
    *,
    as_of: datetime,
    params: MethodParams = DEFAULT_PARAMS,
    grade: str | None = None,
) -> Valuation:
    """``value`` on comps already in columns (the fast path for large sets)."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must carry a timezone")
    return summarize(assess(frame, as_of=as_of, params=params, grade=grade), params)

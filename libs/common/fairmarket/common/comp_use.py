"""What a valuation did with each comp, and how a shop reads it.

The valuation engine is the only writer of a comp's use (it alone knows what it
did with it); the event carries it, the catalog stores it, and the API, the CSV
and the demo all say it in the words of ``describe``, so that a comp is never
called "kept" when the valuation did not use it.
"""

from __future__ import annotations

from typing import Literal, get_args

CompUse = Literal[
    "used",  # the value rests on it, with its weight
    "other_grade_used",  # another grade, brought to the item's grade by a learned ratio
    "other_grade_left_out",  # another grade: no ratio learned, or enough sales of this grade
    "outlier",  # set aside by the outlier fences
    "outside_window",  # older than the window (or than the last few sales) the value used
    "listing_bound",  # an ask or guide while sales are enough: at most a bound (ask cap)
    "filtered",  # filtered as junk by the collector
    "excluded",  # excluded by an admin
    "future",  # observed after the valuation's date
    "no_price",
    "unknown_kind",
    "zero_weight",  # match score or source reputation is 0
]
COMP_USES: tuple[str, ...] = get_args(CompUse)

NOT_YET_VALUED = "not yet valued"

_WORDS: dict[str, str] = {
    "other_grade_left_out": "other grade, left out",
    "outlier": "outlier",
    "outside_window": "older than the window",
    "listing_bound": "listing: enough sales, only a bound",
    "future": "newer than the valuation",
    "no_price": "no price",
    "unknown_kind": "unknown kind",
    "zero_weight": "zero weight (match score or reputation 0)",
}


def weight_words(weight: float | None) -> str:
    if weight is None:
        return "weight unknown"
    return "weight <0.01" if 0 < weight < 0.005 else f"weight {weight:.2f}"


def describe(
    use: str | None,
    *,
    weight: float | None = None,
    grade_ratio: float | None = None,
    grade: str | None = None,
    filtered: bool = False,
    filtered_reason: str | None = None,
    excluded: bool = False,
    excluded_reason: str | None = None,
    outlier: bool = False,
) -> str:
    """One comp's status in words, e.g. "used, weight 0.21", "PSA 9 via ratio
    (multiplied by) 1.62, weight 0.05", "filtered: <reason>".

    ``use`` is the latest valuation's (None: the comp came after it, or there is none
    yet); ``filtered`` and ``excluded`` are the comp's current flags, which win: they
    are what the next valuation will see. A valuation's "filtered" or "excluded" that
    the comp no longer has is stale, so it is not yet valued. ``outlier`` is the older
    contract's flag, read only when no use is known.
    """
    if excluded:
        return f"excluded by admin: {excluded_reason or 'no reason given'}"
    if filtered:
        return f"filtered: {filtered_reason or 'no reason given'}"
    if use == "used":
        return f"used, {weight_words(weight)}"
    if use == "other_grade_used":
        ratio = (
            f"\N{MULTIPLICATION SIGN}{grade_ratio:.2f}"
            if grade_ratio is not None
            else "a learned ratio"
        )
        return f"{grade or 'other grade'} via ratio {ratio}, {weight_words(weight)}"
    if use in _WORDS:
        return _WORDS[use]
    if use is None and outlier:
        return "outlier"
    return NOT_YET_VALUED  # None, or a filter or exclusion since lifted

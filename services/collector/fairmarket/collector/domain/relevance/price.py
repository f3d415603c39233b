"""The last line, after the identity rules: a comp priced far below where the others agree
is likely a part or accessory the words did not give away."""

from __future__ import annotations

from collections.abc import Sequence

PRICE_FLOOR_SHARE = 0.2
"""A comp under this share of the others' median is far below them."""
PRICE_FLOOR_MIN_AGREE = 4
"""Comps within a factor of two of the median needed before the median is trusted."""
PRICE_FLOOR_REASON = "price far below comparable listings (likely a part or accessory)"


def far_below(totals: Sequence[int]) -> list[bool]:
    """Per comp: is it under a fifth of where the others agree? The centre is the median
    of all the comps, trusted only when several lie within a factor of two of it."""
    priced = sorted(t for t in totals if t > 0)
    if len(priced) < PRICE_FLOOR_MIN_AGREE + 1:
        return [False] * len(totals)
    mid = len(priced) // 2
    median = (priced[mid] + priced[~mid]) / 2
    agree = sum(1 for t in priced if median / 2 <= t <= median * 2)
    if agree < PRICE_FLOOR_MIN_AGREE:
        return [False] * len(totals)
    return [0 < t < median * PRICE_FLOOR_SHARE for t in totals]

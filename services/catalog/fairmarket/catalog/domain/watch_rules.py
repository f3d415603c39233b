"""Watches: which items a watch covers and whether its condition holds. Pure, no I/O.

A watch fires on the edge: when its condition becomes true for an item, and
again only after it has been false, so a price hovering at a threshold does
not fire on every valuation.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ConditionKind = Literal["fmv_above", "fmv_below", "change_pct", "confidence_above"]


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ConditionKind
    value: float = Field(
        ge=0,
        le=1e15,
        allow_inf_nan=False,  # "Infinity" would be stored as JSON null, which no reader takes
        description="USD cents for fmv_above/below, percent for change_pct, 1-10 for confidence",
    )


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def covers(
    watch: Any, *, item_id: Any, category: str | None, title: str | None, attribution: Any
) -> bool:
    if watch.item_id is not None:
        return bool(watch.item_id == item_id)
    if watch.category and watch.category != category:
        return False
    if watch.query:
        text = f"{title or ''} {attribution or ''}"
        return _words(watch.query) <= _words(text)
    return True


def holds(condition: Condition, valuation: dict[str, Any]) -> bool:
    fmv = valuation.get("fmv_usd_cents")
    if condition.kind == "fmv_above":
        return fmv is not None and fmv > condition.value
    if condition.kind == "fmv_below":
        return fmv is not None and fmv < condition.value
    if condition.kind == "confidence_above":
        return (valuation.get("confidence") or 0) > condition.value
    previous = valuation.get("previous_fmv_usd_cents")
    if fmv is None or not previous:
        return False
    return abs(fmv - previous) / previous * 100 > condition.value


def fires(was_active: bool, now_holds: bool) -> bool:
    """True on the false-to-true edge only."""
    return now_holds and not was_active

"""The engine's input and output types.

``Comp`` is one piece of market evidence; ``Valuation`` is everything the engine
decides about an item, convertible to the ``valuation.computed`` payload. Per-comp
results are kept as arrays and turned into objects only when asked for, so that
valuing a million comps does not build a million result objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Any

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class Comp:
    """One comparable: a sale, an asking price, an auction result or a guide value."""

    price_point_id: str
    source: str
    reputation: float
    kind: str  # "sold" | "ask" | "auction" | "guide"
    total_usd_cents: int  # price + shipping, USD cents
    observed_at: datetime  # tz-aware
    match_score: float = 1.0
    sale_format: str = "unknown"  # "auction" | "fixed_price" | "best_offer" | "unknown"
    bids: int | None = None
    grade: str | None = None
    filtered: bool = False
    excluded: bool = False


class Reason(IntEnum):
    """Why a comp is not used (``USED`` when it is)."""

    USED = 0
    EXCLUDED = 1
    FILTERED = 2
    FUTURE = 3
    NO_PRICE = 4
    UNKNOWN_KIND = 5
    ZERO_WEIGHT = 6
    OTHER_GRADE = 7
    OUTSIDE_WINDOW = 8
    NOT_BASIS = 9
    OUTLIER = 10
    GRADE_NOT_NEEDED = 11


REASON_TEXT: dict[Reason, str | None] = {
    Reason.USED: None,
    Reason.EXCLUDED: "excluded by an admin",
    Reason.FILTERED: "filtered as junk by the collector",
    Reason.FUTURE: "observed after the valuation date",
    Reason.NO_PRICE: "no price",
    Reason.UNKNOWN_KIND: "unknown kind",
    Reason.ZERO_WEIGHT: "zero weight (match score or source reputation is 0)",
    Reason.OTHER_GRADE: "another grade, and no ratio to this grade could be learned",
    Reason.OUTSIDE_WINDOW: "outside the window used",
    Reason.NOT_BASIS: "ask or guide: enough sales, used only as a bound",
    Reason.OUTLIER: "outlier (outside the IQR fences)",
    Reason.GRADE_NOT_NEEDED: "another grade: enough sales of this grade",
}


@dataclass(frozen=True, slots=True)
class CompDetail:
    """How one comp entered the valuation (for the API)."""

    price_point_id: str
    weight: float  # share of the total weight of used comps; 0 when not used
    outlier: bool
    used: bool
    reason: str | None  # why not used
    adjusted_usd_cents: int  # price after any grade adjustment


@dataclass(frozen=True, slots=True)
class SourceStat:
    source: str
    comps: int
    median_usd_cents: int | None
    weight_share: float


@dataclass(frozen=True, slots=True)
class ConfidenceParts:
    count: float  # 0-3
    reputation: float  # 0-2
    sold_ratio: float  # 0-2
    spread: float  # 0-3
    recency: float  # <= 0: a penalty when the newest comp is old

    @property
    def total(self) -> float:
        return self.count + self.reputation + self.sold_ratio + self.spread + self.recency


@dataclass(frozen=True, slots=True)
class GradeAdjustment:
    """Comps of ``from_grade`` were scaled by ``ratio`` to stand for ``to_grade``."""

    from_grade: str
    to_grade: str
    ratio: float
    comps: int


@dataclass(frozen=True, slots=True)
class PerComp:
    """Per-comp results as parallel arrays, in the deduplicated input order."""

    ids: tuple[str, ...]
    weight: npt.NDArray[np.float64]
    reason: npt.NDArray[np.int8]
    adjusted: npt.NDArray[np.float64]

    def details(self) -> tuple[CompDetail, ...]:
        total = float(self.weight.sum())
        share = self.weight / total if total > 0 else self.weight
        return tuple(
            CompDetail(
                price_point_id=pid,
                weight=round(float(w), 6),
                outlier=int(r) == Reason.OUTLIER,
                used=int(r) == Reason.USED,
                reason=REASON_TEXT[Reason(int(r))],
                adjusted_usd_cents=round(float(a)),
            )
            for pid, w, r, a in zip(self.ids, share, self.reason, self.adjusted, strict=True)
        )


@dataclass(frozen=True)
class Valuation:
    """One valuation of one item as of a moment."""

    method: str
    as_of: datetime
    fmv_usd_cents: int | None
    p10_usd_cents: int | None
    p50_usd_cents: int | None
    p90_usd_cents: int | None
    mean_usd_cents: int | None
    ci95_low_usd_cents: int | None
    ci95_high_usd_cents: int | None
    comps_total: int  # distinct comps observed by as_of
    comps_used: int  # the comps the value rests on
    comps_outliers: int
    comps_filtered: int  # filtered as junk or excluded by an admin
    sold_ratio: float  # share of the value's weight resting on sales (sold, auction)
    basis: str  # "sold" | "ask" | "guide" | "mixed" | "none"
    sources: tuple[SourceStat, ...]
    trend_pct_per_30d: float | None
    confidence: int
    components: ConfidenceParts
    explanation: str
    inputs_hash: str
    mode: str  # "recent" | "thin" | "rare" | "listings" | "none"
    window_days: float | None  # age of the oldest comp the window admits
    grade: str | None  # the item's grade, normalized
    grade_adjustments: tuple[GradeAdjustment, ...] = ()
    grade_left_out: int = 0
    ask_cap_usd_cents: int | None = None  # set when current asks capped the value
    fmv_low_usd_cents: int | None = None  # 80% range of the next fortnight's median sale
    fmv_high_usd_cents: int | None = None
    range_scale: float | None = None  # log sd behind that range
    recent_sales: int = 0  # sales in the last 30 days: the range's volume band
    level_sales: int = 0  # sales the level read (0: the weighted median stands)
    per_comp: PerComp | None = field(default=None, compare=False, repr=False)

    def outlier_ids(self) -> list[str]:
        """The comps the fences set aside, for the catalog's comp list."""
        if self.per_comp is None:
            return []
        pc = self.per_comp
        return sorted(pid for pid, r in zip(pc.ids, pc.reason, strict=True) if r == Reason.OUTLIER)

    def comp_details(self) -> tuple[CompDetail, ...]:
        """Each comp's weight, outlier flag, used flag and reason (built on demand)."""
        return self.per_comp.details() if self.per_comp is not None else ()

    def details_payload(self) -> dict[str, Any]:
        """JSON-ready details beyond the event: how the pool was chosen, grade
        handling, and every comp with its weight share, flags and reason."""
        return {
            "mode": self.mode,
            "window_days": self.window_days,
            "grade": self.grade,
            "grade_adjustments": [
                {
                    "from_grade": a.from_grade,
                    "to_grade": a.to_grade,
                    "ratio": a.ratio,
                    "comps": a.comps,
                }
                for a in self.grade_adjustments
            ],
            "grade_left_out": self.grade_left_out,
            "ask_cap_usd_cents": self.ask_cap_usd_cents,
            "range_scale": self.range_scale,
            "recent_sales": self.recent_sales,
            "level_sales": self.level_sales,
            "comps": [
                {
                    "price_point_id": d.price_point_id,
                    "weight": d.weight,
                    "outlier": d.outlier,
                    "used": d.used,
                    "reason": d.reason,
                    "adjusted_usd_cents": d.adjusted_usd_cents,
                }
                for d in self.comp_details()
            ],
        }

    def to_payload(self) -> dict[str, Any]:
        """The ``ValuationComputedData`` fields the engine decides (all but item_id,
        revision, version and previous_fmv_usd_cents, which the service adds)."""
        c = self.components
        return {
            "method": self.method,
            "as_of": self.as_of,
            "fmv_usd_cents": self.fmv_usd_cents,
            "fmv_low_usd_cents": self.fmv_low_usd_cents,
            "fmv_high_usd_cents": self.fmv_high_usd_cents,
            "p10_usd_cents": self.p10_usd_cents,
            "p50_usd_cents": self.p50_usd_cents,
            "p90_usd_cents": self.p90_usd_cents,
            "mean_usd_cents": self.mean_usd_cents,
            "ci95_low_usd_cents": self.ci95_low_usd_cents,
            "ci95_high_usd_cents": self.ci95_high_usd_cents,
            "comps": {
                "total": self.comps_total,
                "used": self.comps_used,
                "outliers": self.comps_outliers,
                "filtered": self.comps_filtered,
            },
            "sold_ratio": self.sold_ratio,
            "basis": self.basis,
            "sources": [
                {
                    "source": s.source,
                    "comps": s.comps,
                    "median_usd_cents": s.median_usd_cents,
                    "weight_share": s.weight_share,
                }
                for s in self.sources
            ],
            "trend_pct_per_30d": self.trend_pct_per_30d,
            "confidence": self.confidence,
            "confidence_components": {
                "count": c.count,
                "reputation": c.reputation,
                "sold_ratio": c.sold_ratio,
                "spread": c.spread,
                "recency": c.recency,
            },
            "explanation": self.explanation,
            "inputs_hash": self.inputs_hash,
            "outlier_price_point_ids": self.outlier_ids(),
        }

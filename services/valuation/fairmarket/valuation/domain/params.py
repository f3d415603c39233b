"""Method parameters and the method version.

Every number the method depends on lives in :class:`MethodParams`, so that a
valuation can say exactly how it was computed. ``METHOD_VERSION`` names the math
and the defaults together: bump it whenever either changes, and every stored
valuation becomes recomputable and comparable by version.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from functools import cached_property

METHOD_VERSION = "fmv-2026.11.1"


@dataclass(frozen=True)
class MethodParams:
    """Tunable constants of the valuation method (defaults = ``METHOD_VERSION``)."""

    # windows: a comp older than lookback_days is used only when sales are rare
    lookback_days: float = 365.0
    windows_days: tuple[float, ...] = (14.0, 30.0, 90.0, 180.0)
    sales_target: int = 10  # sales a window needs to be "enough"; also full count score
    thin_min_sales: int = 3  # fewer sales in the lookback: "rare", the last sales are used
    rare_last_sales: int = 3
    # recency: half life grows with the window so a long window is not one comp
    half_life_days: float = 14.0
    half_life_window_fraction: float = 0.2
    # evidence weights
    kind_weights: dict[str, float] = field(
        default_factory=lambda: {"sold": 1.0, "auction": 1.0, "ask": 0.35, "guide": 0.25}
    )
    format_weights: dict[str, float] = field(
        default_factory=lambda: {
            "auction": 1.0,
            "fixed_price": 0.9,
            "best_offer": 0.75,
            "unknown": 0.85,
        }
    )
    contested_bids: int = 3  # an auction with this many bids counts fully
    single_bid_weight: float = 0.5  # a one-bid auction only proves the start price
    # asks and guides: fill in when sales are thin, bound the value otherwise
    max_listing_share: float = 0.5
    ask_cap_quantile: float | None = 0.25
    ask_cap_days: float = 30.0
    ask_cap_min: int = 3
    # outliers: Tukey fences on (detrended) log prices
    iqr_k: float = 1.5
    iqr_min_log: float = 0.15  # IQR floor: a tight cluster must not make neighbours outliers
    iqr_min_comps: int = 4
    # trend: Theil-Sen on log prices
    trend_min_span_days: float = 14.0
    trend_min_comps: int = 5
    trend_window_days: float = 90.0
    # grades: other grades enter only through a ratio learned from the comps
    grade_min_comps: int = 3
    grade_adjusted_weight: float = 0.5
    # confidence
    spread_tight: float = 0.15  # ln(p90/p10) at or below: full spread score
    spread_loose: float = 1.2  # at or above: zero
    recent_days: float = 14.0  # comps typically older than this cost confidence
    rare_confidence_cap: int = 3
    ask_confidence_cap: int = 7
    version: str = METHOD_VERSION

    def __hash__(self) -> int:
        return hash(self.fingerprint())

    def fingerprint(self) -> str:
        """A short stable digest of every parameter (part of the inputs hash)."""
        return self._fingerprint

    @cached_property
    def _fingerprint(self) -> str:
        items = sorted(asdict(self).items())
        return hashlib.sha256(repr(items).encode()).hexdigest()[:12]

    @cached_property
    def method(self) -> str:
        """The method name a valuation records: the version, plus a digest if customized."""
        if self == DEFAULT_PARAMS:
            return self.version
        return f"{self.version}+{self.fingerprint()}"


DEFAULT_PARAMS = MethodParams()

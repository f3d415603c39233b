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

METHOD_VERSION = "fmv-2026.12.1"


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
    # the level: a Huber local-level filter of log price over the lookback's sales
    level_enabled: bool = True  # False: the window's weighted median, as fmv-2026.11.1
    level_q: float = 0.003  # drift variance per day (squared log units)
    level_huber_c: float = 2.0  # innovations beyond this many sd are clipped
    level_noise_default: float = 0.04  # one sale's log variance when too few to estimate
    level_noise_floor: float = 1e-4
    level_noise_prior_sales: int = 3  # the range's noise: pseudo-sales at the default's sd
    level_damping: float | None = 0.98  # per-day fade of a slope; None: no trend
    level_damping_below: int | None = 10  # the slope only below this many recent sales
    level_blend: bool = False  # the median of the level, the last 3 sales and a 7-day EW median
    level_outlier_k: float = 3.0  # the level reads fenced-out sales inside these wider fences
    level_max_sales: int = 200  # the newest sales read (older ones barely count)
    # the 80% forward range: (least sales in the last range_volume_days, z10, z90) per
    # band, quantiles of log(later median / fmv) / scale learned out of sample
    range_horizon_days: float = 14.0
    range_volume_days: float = 30.0
    range_bands: tuple[tuple[int, float, float], ...] = (
        (0, -0.8545, 2.0262),  # fitted on all CardLadder dev series (fairmarket valuation
        (3, -0.8894, 1.2437),  # accuracy: "chosen on all folds"); the reported coverage
        (10, -0.7151, 1.1365),  # uses quantiles fitted on the other folds only
    )
    # confidence
    spread_tight: float = 0.3  # ln(fmv_high/fmv_low) at or below: full spread score
    spread_loose: float = 1.0  # at or above: zero
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

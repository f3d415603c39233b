"""How much each comp says about today's value.

weight = source reputation x recency x kind x sale format/bids x match score.
Each factor is a separate function so that the API can show, and the tests can
check, why a comp counts as much as it does.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from fairmarket.valuation.domain.frame import FORMATS, KINDS
from fairmarket.valuation.domain.params import MethodParams

F8 = npt.NDArray[np.float64]
I8 = npt.NDArray[np.int8]


def half_life_for(window_days: float, params: MethodParams) -> float:
    """The recency half life for a window: the configured one, or a fixed share
    of a longer window, so that a year of thin sales is not one comp's word."""
    return max(params.half_life_days, params.half_life_window_fraction * window_days)


def recency(age_days: F8, half_life_days: float) -> F8:
    """Exponential decay: a comp one half life old counts half."""
    return np.exp2(-np.maximum(age_days, 0.0) / half_life_days)


def kind_weight(kind: I8, params: MethodParams) -> F8:
    """Sales over asks over guides (configurable); unknown kinds weigh nothing."""
    table = np.array([params.kind_weights.get(k, 0.0) for k in KINDS] + [0.0])
    return table[kind]  # kind -1 picks the trailing 0


def format_weight(kind: I8, fmt: I8, bids: F8, params: MethodParams) -> F8:
    """Sale format and bids: an auction that many bidders fought over is the best
    evidence of value; a one-bid auction only shows the start price was met, and
    an accepted best offer is often recorded at the list price. Only sales are
    affected; an ask's format says nothing about what it will fetch."""
    table = np.array([params.format_weights.get(f, 1.0) for f in FORMATS])
    w = table[fmt]
    is_auction = fmt == FORMATS.index("auction")
    known = is_auction & ~np.isnan(bids)
    if known.any():
        b = np.clip(bids[known], 1.0, float(params.contested_bids))
        span = max(params.contested_bids - 1, 1)
        bid_w = params.single_bid_weight + (1.0 - params.single_bid_weight) * (b - 1.0) / span
        w = w.copy()
        w[known] *= bid_w
    is_sale = kind <= 1  # sold, auction (unknown kinds weigh 0 anyway)
    return np.where(is_sale, w, 1.0)


def base_weight(reputation: F8, kind: I8, fmt: I8, bids: F8, match: F8, params: MethodParams) -> F8:
    """Every factor except recency, which depends on the window chosen later."""
    rep = np.where(reputation > 0, np.minimum(reputation, 10.0), 0.0)  # NaN -> 0
    m = np.where(match > 0, np.minimum(match, 1.0), 0.0)
    return rep * m * kind_weight(kind, params) * format_weight(kind, fmt, bids, params)

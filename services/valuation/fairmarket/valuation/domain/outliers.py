"""Tukey's IQR fences on log prices.

Log prices because collectible prices are multiplicative: a $5 junk sale next to
$400 comps is as far out as a $32,000 one. Residuals from the trend are fenced
instead of raw log prices when a trend is known, so that in a moving market the
oldest lows or newest highs are not mistaken for outliers.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

F8 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]


def iqr_fences(x: F8, k: float = 1.5, min_iqr: float = 0.0) -> tuple[float, float]:
    """(low, high) fences ``Q1 - k IQR`` and ``Q3 + k IQR`` of ``x``.

    ``min_iqr`` floors the IQR: in a small sample the middle comps can agree by
    chance so closely that ordinary prices a few percent away would be fenced out.
    """
    q1, q3 = np.quantile(x, [0.25, 0.75])
    iqr = max(float(q3 - q1), min_iqr)
    return float(q1) - k * iqr, float(q3) + k * iqr


def outlier_mask(x: F8, *, k: float = 1.5, min_comps: int = 4, min_iqr: float = 0.0) -> B1 | None:
    """True where ``x`` lies outside the fences; ``None`` when there are too few
    values to tell (the caller says so instead of removing anything)."""
    if len(x) < min_comps:
        return None
    low, high = iqr_fences(x, k, min_iqr)
    return (x < low) | (x > high)

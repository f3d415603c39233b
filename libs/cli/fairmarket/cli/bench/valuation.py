"""The valuation engine alone: one valuation of 100, 10,000 and 1,000,000 comps."""

from __future__ import annotations

from fairmarket.valuation.domain.bench import bench

SIZES = (100, 10_000, 1_000_000)


def run(sizes: tuple[int, ...] = SIZES, repeats: int = 3) -> dict[str, float]:
    """Best of `repeats`, in ms: `value()` on Comp objects and `value_frame()` on columns."""
    out: dict[str, float] = {}
    for n in sizes:
        label = (
            f"{n // 1000}k"
            if n < 1_000_000 and n >= 1000
            else (f"{n // 1_000_000}m" if n >= 1_000_000 else str(n))
        )
        reps = 1 if n >= 1_000_000 else repeats
        out[f"valuation_{label}_ms"] = bench(n, reps) * 1e3
        out[f"valuation_{label}_columnar_ms"] = bench(n, reps, columnar=True) * 1e3
    return out

"""Speed of one valuation, for ``fairmarket bench valuation`` (not a test: timings
on a shared machine make flaky tests)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import numpy as np

from fairmarket.valuation.domain.engine import value, value_frame
from fairmarket.valuation.domain.frame import CompFrame
from fairmarket.valuation.domain.model import Comp

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
_SOURCES = ("ebay", "heritage", "discogs", "tcgplayer", "manual")
_KINDS = ("sold", "sold", "sold", "auction", "ask", "ask", "guide")
_FORMATS = ("auction", "fixed_price", "best_offer", "unknown")


def synthetic_comps(n: int, seed: int = 0) -> list[Comp]:
    """``n`` comps of one item over a year: lognormal prices around $400 with a
    few junk prices, mixed sources, kinds and sale formats, 2% filtered."""
    rng = np.random.default_rng(seed)
    price = np.exp(rng.normal(np.log(40_000), 0.25, n)).astype(np.int64)
    junk = rng.random(n) < 0.02
    price[junk] = rng.integers(100, 2_000, int(junk.sum()))
    age_s = rng.uniform(0, 365 * 86_400, n)
    src = rng.integers(0, len(_SOURCES), n)
    kind = rng.integers(0, len(_KINDS), n)
    fmt = rng.integers(0, len(_FORMATS), n)
    bids = rng.integers(0, 20, n)
    match = rng.uniform(0.6, 1.0, n)
    filtered = rng.random(n) < 0.02
    return [
        Comp(
            price_point_id=f"pp-{seed}-{i}",
            source=_SOURCES[s],
            reputation=1.0,
            kind=_KINDS[k],
            total_usd_cents=int(p),
            observed_at=AS_OF - timedelta(seconds=float(a)),
            match_score=float(m),
            sale_format=_FORMATS[f],
            bids=int(b) if _FORMATS[f] == "auction" else None,
            filtered=bool(x),
        )
        for i, (p, a, s, k, f, b, m, x) in enumerate(
            zip(price, age_s, src, kind, fmt, bids, match, filtered, strict=True)
        )
    ]


def bench(n: int, repeats: int = 3, *, columnar: bool = False) -> float:
    """Seconds for one ``value()`` of ``n`` synthetic comps (the best of
    ``repeats`` runs). ``columnar=True`` times ``value_frame`` on comps already
    in columns, i.e. without converting the Comp objects."""
    comps = synthetic_comps(n)
    frame = CompFrame.from_comps(comps) if columnar else None
    best = float("inf")
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        if frame is not None:
            value_frame(frame, as_of=AS_OF)
        else:
            value(comps, as_of=AS_OF)
        best = min(best, time.perf_counter() - start)
    return best


if __name__ == "__main__":
    for size in (100, 10_000, 100_000, 1_000_000):
        print(f"{size:>9} comps: value() {bench(size) * 1e3:8.2f} ms, "
              f"value_frame() {bench(size, columnar=True) * 1e3:8.2f} ms")  # fmt: skip

"""The geometry of an item's price-history chart: valuations as a line over time, the
sales and asks behind them as points. Pure; the console's template draws the SVG."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    cents: int
    at: datetime
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    line: list[Point]  # valuations, oldest first
    dots: list[Point]  # comps
    y_ticks: list[tuple[float, int]]  # (y, cents)
    x_ticks: list[tuple[float, datetime]]

    @property
    def path(self) -> str:
        return " ".join(
            f"{'M' if i == 0 else 'L'}{p.x:.1f},{p.y:.1f}" for i, p in enumerate(self.line)
        )


PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 70, 10, 10, 30


def build(
    valuations: list[tuple[datetime, int]],
    comps: list[tuple[datetime, int, str]],
    *,
    width: int = 700,
    height: int = 260,
) -> Chart | None:
    """None when there is nothing to draw; `comps` are (date, total cents, label)."""
    stamps = [t for t, _ in valuations] + [t for t, _, _ in comps]
    values = [c for _, c in valuations] + [c for _, c, _ in comps]
    if not stamps:
        return None
    t0, t1 = min(stamps), max(stamps)
    lo, hi = min(values), max(values)
    if hi == lo:
        lo, hi = max(lo - max(lo // 10, 100), 0), hi + max(hi // 10, 100)
    span_t = (t1 - t0).total_seconds() or 1.0
    inner_w = width - PAD_LEFT - PAD_RIGHT
    inner_h = height - PAD_TOP - PAD_BOTTOM

    def x(t: datetime) -> float:
        return PAD_LEFT + (t - t0).total_seconds() / span_t * inner_w

    def y(cents: int) -> float:
        return PAD_TOP + (hi - cents) / (hi - lo) * inner_h

    line = [Point(x(t), y(c), c, t, "valuation") for t, c in sorted(valuations)]
    dots = [Point(x(t), y(c), c, t, label) for t, c, label in comps]
    y_ticks = [(y(lo + (hi - lo) * i // 4), lo + (hi - lo) * i // 4) for i in range(5)]
    x_ticks = [(x(t0 + (t1 - t0) * i / 3), t0 + (t1 - t0) * i / 3) for i in range(4)]
    return Chart(width, height, line, dots, y_ticks, x_ticks)

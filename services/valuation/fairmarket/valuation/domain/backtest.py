"""Real sales as engine comps, for the backtest (``evaluation`` scores them).

Pure: the caller reads the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from fairmarket.valuation.domain.model import Comp


@dataclass(frozen=True, slots=True)
class Sale:
    day: date
    cents: int
    grade: str | None = None


def comps_for(series: str, sales: Sequence[Sale], source: str = "cardladder") -> list[Comp]:
    """One sold comp per sale, at noon of its day (the data has dates, not times)."""
    return [
        Comp(
            price_point_id=f"{series}:{i}",
            source=source,
            reputation=1.0,
            kind="sold",
            total_usd_cents=s.cents,
            observed_at=datetime.combine(s.day, time(12), tzinfo=UTC),
            grade=s.grade,
        )
        for i, s in enumerate(sales)
    ]

"""Backtest on real sales: value each day from the sales before it, score
against the median of the sales that followed.

Pure: the caller reads the data. For each series and evaluation day the engine
values the sales observed up to that day, and so does the plain median of the
same window (the baseline the engine must beat); both are scored by absolute
percentage error against the median of the next ``horizon_days`` of sales.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from fairmarket.valuation.domain.engine import value
from fairmarket.valuation.domain.model import Comp
from fairmarket.valuation.domain.params import DEFAULT_PARAMS, MethodParams


@dataclass(frozen=True, slots=True)
class Sale:
    day: date
    cents: int
    grade: str | None = None


@dataclass(frozen=True, slots=True)
class Case:
    series: str
    day: date
    target: float  # median of the next horizon's sales
    fmv: float
    plain_window: float  # plain median of the same window the engine chose
    plain_lookback: float  # plain median of the whole lookback
    p10: float
    p90: float
    confidence: int


def _ape(estimate: float, target: float) -> float:
    return abs(estimate - target) / target


@dataclass(frozen=True)
class Result:
    cases: tuple[Case, ...] = field(default_factory=tuple)

    def mape(self, which: str = "fmv") -> float:
        """Median absolute percentage error of ``fmv``, ``plain_window`` or ``plain_lookback``."""
        return float(np.median([_ape(getattr(c, which), c.target) for c in self.cases]))

    def coverage(self) -> float:
        """How often the later median fell inside the valuation's p10-p90."""
        return float(np.mean([c.p10 <= c.target <= c.p90 for c in self.cases]))

    def mape_by_confidence(self, bands: Sequence[tuple[int, int]]) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for lo, hi in bands:
            errs = [_ape(c.fmv, c.target) for c in self.cases if lo <= c.confidence <= hi]
            out[f"{lo}-{hi}"] = float(np.median(errs)) if errs else None
        return out


def comps_for(series: str, sales: Sequence[Sale], source: str = "cardladder") -> list[Comp]:
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


def run(
    series: Mapping[str, Sequence[Sale]],
    *,
    days: Iterable[date],
    horizon_days: int = 14,
    min_future: int = 3,
    params: MethodParams = DEFAULT_PARAMS,
    grade: str | None = None,
    target_grade: str | None = None,
) -> Result:
    """Value every series on every day in ``days`` with at least ``min_future``
    sales of ``target_grade`` (any, if ``None``) in the following horizon."""
    cases = []
    day_list = list(days)
    for name, sales in series.items():
        comps = comps_for(name, sales)
        day_arr = np.array([s.day.toordinal() for s in sales])
        cents = np.array([s.cents for s in sales], dtype=np.float64)
        is_target = np.array([target_grade is None or s.grade == target_grade for s in sales])
        for d in day_list:
            o = d.toordinal()
            future = is_target & (day_arr > o) & (day_arr <= o + horizon_days)
            if int(future.sum()) < min_future:
                continue
            past = np.flatnonzero(day_arr <= o)
            if len(past) == 0:
                continue
            as_of = datetime.combine(d + timedelta(days=1), time(0), tzinfo=UTC)
            v = value([comps[i] for i in past], as_of=as_of, params=params, grade=grade)
            if v.fmv_usd_cents is None:
                continue
            age = np.array([(as_of.date() - sales[i].day).days + 0.5 for i in past])
            own = is_target[past]
            window = v.window_days or params.lookback_days
            in_window = own & (age <= window)
            in_lookback = own & (age <= params.lookback_days)
            if not in_window.any() or not in_lookback.any():
                continue
            cases.append(
                Case(
                    series=name,
                    day=d,
                    target=float(np.median(cents[future])),
                    fmv=float(v.fmv_usd_cents),
                    plain_window=float(np.median(cents[past][in_window])),
                    plain_lookback=float(np.median(cents[past][in_lookback])),
                    p10=float(v.p10_usd_cents or 0),
                    p90=float(v.p90_usd_cents or 0),
                    confidence=v.confidence,
                )
            )
    return Result(tuple(cases))

"""Accuracy of the engine on real sold prices, beside the plain median it must beat.

Reads CardLadder's NBA rookie PSA sales (``../shared/data/sales``, see its
SOURCES.md), backtests the engine weekly from July 2019 (value each series from
its sales up to a day, score against the median of its next 14 days) and learns
PSA 10 / PSA 9 ratios per player. The numbers come from the data every run.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from fairmarket.valuation.domain.backtest import Result, Sale, run
from fairmarket.valuation.domain.grades import learn_ratio

CARDS = Path("sales") / "cardladder_nba_rookies_psa_sales_2013_2020_dev_split.csv"
DAYS = tuple(date(2019, 7, 7) + timedelta(days=7 * i) for i in range(75))
RATIO_END = date(2020, 12, 26)


@dataclass(frozen=True)
class Accuracy:
    valuations: int
    series: int
    mape_engine: float
    mape_plain_window: float
    mape_plain_lookback: float
    coverage_p10_p90: float
    mape_confidence_8_10: float | None
    mape_confidence_1_7: float | None
    psa9_from_both_grades_valuations: int
    psa9_from_both_grades_mape_engine: float
    psa9_from_both_grades_mape_plain: float
    psa10_over_psa9_median_ratio: float
    psa10_over_psa9_players: int
    ratio_spread_learned: float  # std of log ratios across players, time-matched
    ratio_spread_plain: float  # the same for plain ratios of medians

    def as_dict(self) -> dict[str, float | int | None]:
        return asdict(self)


def load_card_sales(path: Path) -> dict[str, list[Sale]]:
    out: dict[str, list[Sale]] = defaultdict(list)
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            out[row["series_id"]].append(
                Sale(
                    day=date.fromisoformat(row["sale_date"]),
                    cents=round(float(row["price_usd"]) * 100),
                    grade=f"{row['grader'].upper()} {row['grade']}",
                )
            )
    return dict(out)


def by_player(sales: dict[str, list[Sale]]) -> dict[str, list[Sale]]:
    players: dict[str, list[Sale]] = defaultdict(list)
    for name, rows in sales.items():
        players[name.rsplit("_", 2)[0]].extend(rows)
    return dict(players)


def grade_ratios(sales: dict[str, list[Sale]]) -> tuple[list[float], list[float]]:
    """Log PSA 10 / PSA 9 ratios per player in the data's last year: learned, plain."""
    end = RATIO_END.toordinal()
    learned, plain = [], []
    for rows in by_player(sales).values():
        t = np.array([r.day.toordinal() - end for r in rows], dtype=float)
        cents = np.array([max(r.cents, 1) for r in rows], dtype=float)
        grade = np.array([r.grade for r in rows])
        recent = t >= -365
        ten, nine = recent & (grade == "PSA 10"), recent & (grade == "PSA 9")
        if ten.sum() < 20 or nine.sum() < 20:
            continue
        ratio = learn_ratio(t, np.log(cents), ten, nine, min_comps=20, trend_min_span=14)
        if ratio is None:
            continue
        learned.append(math.log(ratio))
        plain.append(math.log(np.median(cents[ten]) / np.median(cents[nine])))
    return learned, plain


def measure(data_dir: Path) -> Accuracy:
    sales = load_card_sales(data_dir / CARDS)
    cards: Result = run(sales, days=DAYS)
    psa9 = run(by_player(sales), days=DAYS, grade="PSA 9", target_grade="PSA 9")
    bands = cards.mape_by_confidence([(8, 10), (1, 7)])
    learned, plain = grade_ratios(sales)
    return Accuracy(
        valuations=len(cards.cases),
        series=len({c.series for c in cards.cases}),
        mape_engine=cards.mape(),
        mape_plain_window=cards.mape("plain_window"),
        mape_plain_lookback=cards.mape("plain_lookback"),
        coverage_p10_p90=cards.coverage(),
        mape_confidence_8_10=bands["8-10"],
        mape_confidence_1_7=bands["1-7"],
        psa9_from_both_grades_valuations=len(psa9.cases),
        psa9_from_both_grades_mape_engine=psa9.mape(),
        psa9_from_both_grades_mape_plain=psa9.mape("plain_window"),
        psa10_over_psa9_median_ratio=math.exp(float(np.median(learned))) if learned else math.nan,
        psa10_over_psa9_players=len(learned),
        ratio_spread_learned=float(np.std(learned)) if learned else math.nan,
        ratio_spread_plain=float(np.std(plain)) if plain else math.nan,
    )

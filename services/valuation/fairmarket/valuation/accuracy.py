"""Accuracy of the engine on real sold prices, beside the simple rules it must beat.

Reads every per-sale file in ``../shared/data/sales`` (see its SOURCES.md) and
keeps the series that have dates: CardLadder's NBA rookie PSA sales have them;
the eBay rookie CSV has no sale date, and the TAG best-offer JSON has one row
per listing (no series of one item), so both are read and reported as unusable.
The rolling-origin backtest, panel, folds and bands are in
``domain.evaluation``; this module only reads files and runs the engine.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from fairmarket.valuation.domain.backtest import Sale, comps_for
from fairmarket.valuation.domain.engine import value
from fairmarket.valuation.domain.evaluation import (
    EngineEstimate,
    Estimator,
    Report,
    Series,
    confidence_table,
    evaluate,
    rolling_cases,
)
from fairmarket.valuation.domain.grades import learn_ratio
from fairmarket.valuation.domain.params import DEFAULT_PARAMS, MethodParams

SALES = Path("sales")
CARDS = SALES / "cardladder_nba_rookies_psa_sales_2013_2020_dev_split.csv"
EBAY = SALES / "ebay_sold_rookie_cards_psa_and_raw_2021-02.csv"
TAG = SALES / "ebay_uk_tag_graded_pokemon_best_offers_accepted_2025.json"
RATIO_END = date(2020, 12, 26)
STEP_DAYS = 7
FOLDS = 4
MIN_HISTORY = 3
LEVELS = tuple((str(k), k, k) for k in range(1, 11))

# the engine variants the folds choose between (the shipped default is the one
# chosen on all folds together; "window median" is the method before fmv-2026.12.1;
# "+ trend <N/30d": a damped slope when fewer than N sales in the last 30 days)
VARIANTS: dict[str, MethodParams] = {
    "level": replace(DEFAULT_PARAMS, level_damping=None, level_damping_below=None),
    "level + trend <3/30d": replace(DEFAULT_PARAMS, level_damping=0.98, level_damping_below=3),
    "level + trend <10/30d": replace(DEFAULT_PARAMS, level_damping=0.98, level_damping_below=10),
    "window median": replace(DEFAULT_PARAMS, level_enabled=False),
}


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
    return {k: sorted(v, key=lambda s: (s.day, s.cents)) for k, v in out.items()}


def player_of(series_id: str) -> str:
    """``Luka_Doncic_PSA_10`` -> ``Luka_Doncic``: folds keep a player's grades together."""
    return series_id.rsplit("_", 2)[0]


def by_player(sales: dict[str, list[Sale]]) -> dict[str, list[Sale]]:
    players: dict[str, list[Sale]] = defaultdict(list)
    for name, rows in sales.items():
        players[player_of(name)].extend(rows)
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


def other_sources(data_dir: Path) -> dict[str, str]:
    """What the other per-sale files hold, and why they cannot be backtested."""
    out = {}
    if (data_dir / EBAY).exists():
        with (data_dir / EBAY).open(newline="", encoding="utf-8-sig") as f:
            rows = sum(1 for _ in csv.DictReader(f))
        out[EBAY.name] = f"{rows} listings, no sale dates: not a time series"
    if (data_dir / TAG).exists():
        offers = json.loads((data_dir / TAG).read_text())["offers"]
        per_title = Counter(o["listingTitle"].strip().lower() for o in offers)
        most = max(per_title.values(), default=0)
        out[TAG.name] = (
            f"{len(offers)} accepted offers of {len(per_title)} distinct listings, at most "
            f"{most} of one (a case needs {MIN_HISTORY} before a day and 3 after): no series"
        )
    return out


def origins(sales: dict[str, list[Sale]]) -> list[date]:
    """Every 7th day (Sundays) from the first sale to the last."""
    first = min(s.day for rows in sales.values() for s in rows)
    last = max(s.day for rows in sales.values() for s in rows)
    start = first + timedelta(days=(6 - first.weekday()) % 7)
    return [start + timedelta(days=STEP_DAYS * i) for i in range((last - start).days // 7 + 1)]


def engine_estimator(sales: dict[str, list[Sale]], params: MethodParams) -> Estimator:
    comps = {name: comps_for(name, rows) for name, rows in sales.items()}

    def estimate(name: str, cut: int, day: date) -> EngineEstimate | None:
        as_of = datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)
        v = value(comps[name][:cut], as_of=as_of, params=params)
        if v.fmv_usd_cents is None or v.range_scale is None:
            return None
        return EngineEstimate(float(v.fmv_usd_cents), v.range_scale, v.confidence)

    return estimate


@dataclass(frozen=True)
class Accuracy:
    report: Report
    sources: dict[str, str]
    method: str

    def flat(self) -> dict[str, Any]:
        """The headline figures, one number each, for ``fairmarket bench``."""
        r = self.report
        out: dict[str, Any] = {
            "valuations": len(r.scored),
            "series": r.series,
            "mape_engine": r.engine,
            "mape_best_baseline": r.best_baseline_error,
            "improvement_vs_best_baseline": r.improvement,
            "difference_90_low": r.difference_90[0],
            "difference_90_high": r.difference_90[1],
            "coverage_80_range": r.coverage,
        }
        for b in r.bands:
            out[f"mape_engine_{b.name}_sales"] = b.engine
            out[f"mape_best_baseline_{b.name}_sales"] = b.best_baseline_error
            out[f"coverage_80_range_{b.name}_sales"] = b.coverage
        for name, _, err in r.confidence:
            out[f"mape_engine_confidence_{name}"] = err
        return out

    def as_dict(self) -> dict[str, Any]:
        """Flat figures for ``--json`` and ``fairmarket bench valuation-accuracy``."""
        r = self.report
        out: dict[str, Any] = {
            "method": self.method,
            "valuations": len(r.scored),
            "series": r.series,
            "players": r.groups,
            "folds": len(r.folds),
            "mape_engine": r.engine,
            "best_baseline": r.best_baseline,
            "mape_best_baseline": r.best_baseline_error,
            "improvement_vs_best_baseline": r.improvement,
            "difference_vs_best_baseline_90": list(r.difference_90),
            "coverage_80_range": r.coverage,
            "variant_chosen_on_all": r.variant_all,
            "range_bands_fitted_on_all": [list(b) for b in r.range_all],
            "panel": dict(r.panel),
            "per_fold": [asdict(f) for f in r.folds],
            "by_volume": [
                {
                    "sales_in_30_days": b.name,
                    "valuations": b.cases,
                    "mape_engine": b.engine,
                    "best_baseline": b.best_baseline,
                    "mape_best_baseline": b.best_baseline_error,
                    "coverage_80_range": b.coverage,
                }
                for b in r.bands
            ],
            "by_confidence": [
                {"confidence": name, "valuations": n, "mape_engine": err}
                for name, n, err in r.confidence
            ],
            "by_confidence_level": [
                {"confidence": name, "valuations": n, "mape_engine": err}
                for name, n, err in confidence_table(r.scored, LEVELS)
                if n
            ],
            "unusable_sources": self.sources,
        }
        return out


def measure(data_dir: Path, *, draws: int = 2000) -> Accuracy:
    sales = load_card_sales(data_dir / CARDS)
    series = {
        name: Series(player_of(name), tuple(s.day.toordinal() for s in rows),
                     tuple(float(s.cents) for s in rows))
        for name, rows in sales.items()
    }  # fmt: skip
    engines = {name: engine_estimator(sales, p) for name, p in VARIANTS.items()}
    cases = rolling_cases(series, engines, origins(sales), min_history=MIN_HISTORY)
    report = evaluate(cases, folds=FOLDS, draws=draws)
    return Accuracy(report, other_sources(data_dir), DEFAULT_PARAMS.method)

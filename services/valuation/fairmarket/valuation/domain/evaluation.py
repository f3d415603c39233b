"""An honest accuracy test: rolling origins, a panel of simple rules, player folds.

Pure: the caller reads the data and says how to value a series. Every series is
valued every ``step`` days from its sales up to day D and scored against the
median of its sales in D+1..D+14 (at least 3 of them). Beside the engine, on
exactly the same cases, sit the simple rules a shop could apply itself (the
panel). Series are split into folds by a hash of the player: each fold is
reported with what was chosen on the others (the engine variant, the best
baseline, the range's quantiles), so no figure is tuned on the data it reports.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from fairmarket.valuation.domain.stats import weighted_quantiles

F8 = npt.NDArray[np.float64]

VOLUME_BANDS: tuple[tuple[str, int, int], ...] = (("0-2", 0, 2), ("3-9", 3, 9), ("10+", 10, 10**9))
CONFIDENCE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("1-5", 1, 5),
    ("6-7", 6, 7),
    ("8-9", 8, 9),
    ("10", 10, 10),
)


@dataclass(frozen=True, slots=True)
class Series:
    group: str  # the player: folds never split one player's series
    days: tuple[int, ...]  # ordinals, ascending
    cents: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class EngineEstimate:
    fmv: float
    scale: float  # log sd the range multiplies
    confidence: int


# (series name, index of the first sale after D, D) -> estimate, or None for no price
Estimator = Callable[[str, int, date], EngineEstimate | None]


@dataclass(frozen=True, slots=True)
class Case:
    series: str
    group: str
    day: date
    target: float  # median of the next horizon's sales
    volume: int  # sales in the 30 days up to D
    panel: Mapping[str, float]
    engine: Mapping[str, EngineEstimate]  # per engine variant


def _median_or_last(prices: F8, in_window: npt.NDArray[np.bool_]) -> float:
    if int(in_window.sum()) >= 3:
        return float(np.median(prices[in_window]))
    return float(np.median(prices[-5:]))


def _ew_median(prices: F8, age: F8, half_life: float) -> float:
    order = np.argsort(prices, kind="stable")
    w = np.exp2(-age[order] / half_life)
    return float(weighted_quantiles(prices[order], w, [0.5])[0])


def panel(age_days: F8, prices: F8) -> dict[str, float]:
    """The simple rules, on sales in time order (``age_days`` descending)."""
    return {
        "last sale": float(prices[-1]),
        "median of last 3": float(np.median(prices[-3:])),
        "median of last 5": float(np.median(prices[-5:])),
        "median of last 10": float(np.median(prices[-10:])),
        "median of 14 days": _median_or_last(prices, age_days <= 14),
        "median of 30 days": _median_or_last(prices, age_days <= 30),
        "median of 90 days": _median_or_last(prices, age_days <= 90),
        "EW median, 7-day half-life": _ew_median(prices, age_days, 7.0),
        "EW median, 14-day half-life": _ew_median(prices, age_days, 14.0),
    }


def rolling_cases(
    series: Mapping[str, Series],
    engines: Mapping[str, Estimator],
    origins: Iterable[date],
    *,
    horizon_days: int = 14,
    min_future: int = 3,
    min_history: int = 3,
    volume_days: int = 30,
) -> list[Case]:
    """Every (series, D) with ``min_history`` sales up to D and ``min_future`` in
    the horizon, kept only when every engine variant gives a price."""
    out = []
    day_list = sorted(origins)
    for name, s in series.items():
        days = np.asarray(s.days)
        cents = np.asarray(s.cents, dtype=np.float64)
        for d in day_list:
            o = d.toordinal()
            cut = int(np.searchsorted(days, o, side="right"))
            end = int(np.searchsorted(days, o + horizon_days, side="right"))
            if cut < min_history or end - cut < min_future:
                continue
            estimates = {}
            for variant, estimate in engines.items():
                e = estimate(name, cut, d)
                if e is None:
                    break
                estimates[variant] = e
            else:
                age = (o - days[:cut]).astype(np.float64)
                out.append(
                    Case(
                        series=name,
                        group=s.group,
                        day=d,
                        target=float(np.median(cents[cut:end])),
                        volume=int(np.count_nonzero(age < volume_days)),
                        panel=panel(age, cents[:cut]),
                        engine=estimates,
                    )
                )
    return out


def fold_of(group: str, folds: int) -> int:
    """The fold of a player. Salted: the data's own dev/hold-out split already
    used sha256(player) mod 4, so the unsalted hash would put all in one fold."""
    digest = hashlib.sha256(f"fold|{group.lower()}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % folds


def ape(estimate: float, target: float) -> float:
    return abs(estimate - target) / target


def mdape(estimates: Sequence[float], targets: Sequence[float]) -> float:
    if not estimates:
        return math.nan
    return float(np.median(np.abs(np.asarray(estimates) - targets) / np.asarray(targets)))


def _mdape_of(cases: Sequence[Case], name: str) -> float:
    return mdape([c.panel[name] for c in cases], [c.target for c in cases])


def _engine_mdape(cases: Sequence[Case], variant: str) -> float:
    return mdape([c.engine[variant].fmv for c in cases], [c.target for c in cases])


def band_of(volume: int) -> int:
    return next(i for i, (_, lo, hi) in enumerate(VOLUME_BANDS) if lo <= volume <= hi)


def fit_range(
    cases: Sequence[Case], variant: str, coverage: float = 0.8
) -> tuple[tuple[int, float, float], ...]:
    """Per volume band, the quantiles of log(target / fmv) / scale that hold
    ``coverage`` of the targets: the range's ``(least volume, z_lo, z_hi)``.
    A band without cases borrows the pooled quantiles."""
    tail = (1.0 - coverage) / 2.0

    def z(cs: Sequence[Case]) -> F8:
        return np.array([math.log(c.target / c.engine[variant].fmv) / c.engine[variant].scale
                         for c in cs])  # fmt: skip

    pooled = z(cases)
    out = []
    for i, (_, lo, _) in enumerate(VOLUME_BANDS):
        zs = z([c for c in cases if band_of(c.volume) == i])
        zs = zs if len(zs) >= 20 else pooled
        q_lo, q_hi = np.quantile(zs, [tail, 1.0 - tail]) if len(zs) else (-1.2816, 1.2816)
        out.append((lo, round(float(q_lo), 4), round(float(q_hi), 4)))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Scored:
    """One case valued out of sample: with what its fold's training chose."""

    case: Case
    fold: int
    fmv: float
    low: float
    high: float
    confidence: int

    @property
    def error(self) -> float:
        return ape(self.fmv, self.case.target)

    @property
    def covered(self) -> bool:
        return self.low <= self.case.target <= self.high


@dataclass(frozen=True)
class Fold:
    fold: int
    groups: int
    series: int
    cases: int
    variant: str  # engine variant chosen on the other folds
    engine: float
    chosen_baseline: str  # best baseline on the other folds
    chosen_baseline_error: float
    best_baseline: str  # best baseline on this fold, in hindsight
    best_baseline_error: float
    coverage: float


@dataclass(frozen=True)
class Band:
    name: str
    cases: int
    engine: float
    best_baseline: str
    best_baseline_error: float
    panel: Mapping[str, float]
    coverage: float


@dataclass(frozen=True)
class Report:
    folds: tuple[Fold, ...]
    scored: tuple[Scored, ...]
    engine: float  # pooled out-of-sample median APE
    panel: Mapping[str, float]
    best_baseline: str  # the panel's best over the same cases, in hindsight
    best_baseline_error: float
    difference_90: tuple[float, float]  # bootstrap over series: engine - best baseline
    bands: tuple[Band, ...]
    coverage: float
    confidence: tuple[tuple[str, int, float], ...]  # (band, cases, median APE)
    variant_all: str  # chosen on every fold together: the shipped default
    range_all: tuple[tuple[int, float, float], ...]  # likewise
    series: int = 0
    groups: int = 0
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def improvement(self) -> float:
        """Relative reduction of the error against the best baseline."""
        return 1.0 - self.engine / self.best_baseline_error


def _best(errors: Mapping[str, float]) -> tuple[str, float]:
    name = min(errors, key=lambda k: (errors[k], k))
    return name, errors[name]


def _choose_variant(cases: Sequence[Case], variants: Sequence[str]) -> str:
    return min(variants, key=lambda v: (_engine_mdape(cases, v), variants.index(v)))


def _score(
    case: Case, fold: int, variant: str, bands: Sequence[tuple[int, float, float]]
) -> Scored:
    e = case.engine[variant]
    _, z_lo, z_hi = bands[band_of(case.volume)]
    low, high = e.fmv * math.exp(z_lo * e.scale), e.fmv * math.exp(z_hi * e.scale)
    return Scored(case, fold, e.fmv, low, high, e.confidence)


def bootstrap_difference(
    errors: F8, engine: F8, clusters: Sequence[str], *, draws: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """90% interval of median(engine) - min over the panel of median(panel column),
    resampling whole series (cases of one series are not independent). The
    panel's best is re-chosen in every draw, which favours the panel."""
    names = sorted(set(clusters))
    index = {n: i for i, n in enumerate(names)}
    members: list[list[int]] = [[] for _ in names]
    for row, c in enumerate(clusters):
        members[index[c]].append(row)
    groups = [np.asarray(m) for m in members]
    rng = np.random.default_rng(seed)
    out = np.empty(draws)
    for b in range(draws):
        rows = np.concatenate([groups[i] for i in rng.integers(0, len(groups), len(groups))])
        out[b] = np.median(engine[rows]) - np.median(errors[rows], axis=0).min()
    lo, hi = np.quantile(out, [0.05, 0.95])
    return float(lo), float(hi)


def evaluate(cases: Sequence[Case], *, folds: int = 4, draws: int = 2000) -> Report:
    """Rotate: choose on the other folds, report on each; pool what was reported."""
    if not cases:
        raise ValueError("no cases: no series with enough dated sales")
    variants = list(cases[0].engine)
    names = list(cases[0].panel)
    by_fold: dict[int, list[Case]] = {}
    for c in cases:
        by_fold.setdefault(fold_of(c.group, folds), []).append(c)
    fold_reports, scored = [], []
    for k in sorted(by_fold):
        test = by_fold[k]
        train = [c for j, cs in by_fold.items() if j != k for c in cs]
        variant = _choose_variant(train, variants)
        bands = fit_range(train, variant)
        chosen, _ = _best({n: _mdape_of(train, n) for n in names})
        best, best_err = _best({n: _mdape_of(test, n) for n in names})
        rows = [_score(c, k, variant, bands) for c in test]
        scored.extend(rows)
        fold_reports.append(
            Fold(
                fold=k,
                groups=len({c.group for c in test}),
                series=len({c.series for c in test}),
                cases=len(test),
                variant=variant,
                engine=float(np.median([r.error for r in rows])),
                chosen_baseline=chosen,
                chosen_baseline_error=_mdape_of(test, chosen),
                best_baseline=best,
                best_baseline_error=best_err,
                coverage=float(np.mean([r.covered for r in rows])),
            )
        )
    all_cases = [s.case for s in scored]
    panel_err = {n: _mdape_of(all_cases, n) for n in names}
    best, best_err = _best(panel_err)
    engine_err = np.array([s.error for s in scored])
    matrix = np.array([[ape(c.panel[n], c.target) for n in names] for c in all_cases])
    interval = bootstrap_difference(matrix, engine_err, [c.series for c in all_cases], draws=draws)
    variant_all = _choose_variant(cases, variants)
    return Report(
        folds=tuple(fold_reports),
        scored=tuple(scored),
        engine=float(np.median(engine_err)),
        panel=panel_err,
        best_baseline=best,
        best_baseline_error=best_err,
        difference_90=interval,
        bands=tuple(_band(scored, i, names) for i in range(len(VOLUME_BANDS))),
        coverage=float(np.mean([s.covered for s in scored])),
        confidence=confidence_table(scored),
        variant_all=variant_all,
        range_all=fit_range(cases, variant_all),
        series=len({c.series for c in cases}),
        groups=len({c.group for c in cases}),
    )


def _band(scored: Sequence[Scored], i: int, names: Sequence[str]) -> Band:
    rows = [s for s in scored if band_of(s.case.volume) == i]
    cases = [s.case for s in rows]
    errs = {n: _mdape_of(cases, n) for n in names} if rows else {n: math.nan for n in names}
    best, best_err = _best(errs) if rows else (names[0], math.nan)
    return Band(
        name=VOLUME_BANDS[i][0],
        cases=len(rows),
        engine=float(np.median([s.error for s in rows])) if rows else math.nan,
        best_baseline=best,
        best_baseline_error=best_err,
        panel=errs,
        coverage=float(np.mean([s.covered for s in rows])) if rows else math.nan,
    )


def confidence_table(
    scored: Sequence[Scored], bands: Sequence[tuple[str, int, int]] = CONFIDENCE_BANDS
) -> tuple[tuple[str, int, float], ...]:
    """Median error per confidence band, lowest confidence first."""
    out = []
    for name, lo, hi in bands:
        errs = [s.error for s in scored if lo <= s.confidence <= hi]
        out.append((name, len(errs), float(np.median(errs)) if errs else math.nan))
    return tuple(out)

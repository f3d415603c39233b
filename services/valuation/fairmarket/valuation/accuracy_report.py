"""The tables `fairmarket valuation accuracy` prints (figures from ``accuracy.measure``)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from fairmarket.valuation.accuracy import Accuracy


def _pct(x: float) -> str:
    return "n/a" if x != x else f"{x:.1%}"  # NaN when a band is empty


def print_report(figures: Accuracy, console: Console) -> None:
    r = figures.report
    lo, hi = r.difference_90
    console.print(
        f"[bold]valuation accuracy[/bold] ({figures.method}): {len(r.scored)} valuations of "
        f"{r.series} CardLadder series ({r.groups} players), valued every 7 days from the sales "
        "up to day D, scored against the median of the sales in D+1..D+14 (at least 3); "
        f"{len(r.folds)} player-hash folds, each reported with what the other folds chose."
    )
    panel = Table(title="median absolute % error, out of sample, same cases")
    panel.add_column("estimator")
    panel.add_column("error", justify="right")
    panel.add_row("[bold]engine[/bold]", f"[bold]{_pct(r.engine)}[/bold]")
    for name, err in sorted(r.panel.items(), key=lambda kv: kv[1]):
        mark = " (best)" if name == r.best_baseline else ""
        panel.add_row(f"{name}{mark}", _pct(err))
    console.print(panel)
    console.print(
        f"engine vs the best simple rule ({r.best_baseline}): {r.improvement:+.1%} lower error; "
        f"difference {lo * 100:+.2f} to {hi * 100:+.2f} points (90% bootstrap over series, "
        "the panel's best re-chosen in every draw)"
    )
    folds = Table(title="every fold: chosen on the other folds, reported on this one")
    for col in ("fold", "players", "series", "cases", "variant", "engine", "baseline chosen",
                "hindsight best", "range held"):  # fmt: skip
        folds.add_column(col, justify="left" if col in ("variant", "baseline chosen",
                                                         "hindsight best") else "right")  # fmt: skip
    for f in r.folds:
        folds.add_row(
            str(f.fold), str(f.groups), str(f.series), str(f.cases), f.variant, _pct(f.engine),
            f"{f.chosen_baseline}: {_pct(f.chosen_baseline_error)}",
            f"{f.best_baseline}: {_pct(f.best_baseline_error)}", _pct(f.coverage),
        )  # fmt: skip
    console.print(folds)
    bands = Table(title="by volume: sales in the 30 days up to D")
    for col in ("sales/30d", "cases", "engine", "best simple rule", "its error", "80% range held"):
        bands.add_column(col, justify="left" if col == "best simple rule" else "right")
    for b in r.bands:
        bands.add_row(b.name, str(b.cases), _pct(b.engine), b.best_baseline,
                      _pct(b.best_baseline_error), _pct(b.coverage))  # fmt: skip
    bands.add_row("all", str(len(r.scored)), _pct(r.engine), r.best_baseline,
                  _pct(r.best_baseline_error), _pct(r.coverage))  # fmt: skip
    console.print(bands)
    conf = Table(title="by confidence: median error")
    for col in ("confidence", "cases", "engine error"):
        conf.add_column(col, justify="right")
    for name, n, err in r.confidence:
        conf.add_row(name, str(n), _pct(err))
    console.print(conf)
    shipped = ", ".join(f"{lo_}+ sales: z {a:+.2f}/{b:+.2f}" for lo_, a, b in r.range_all)
    console.print(f"chosen on all folds (the shipped defaults): {r.variant_all}; range {shipped}")
    for name, why in figures.sources.items():
        console.print(f"not backtested: {name}: {why}")

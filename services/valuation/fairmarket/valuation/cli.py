"""`fairmarket valuation ...`: the engine on a spreadsheet, and recomputation after a method change."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated, Any

import typer

from fairmarket.common import comps_csv, money

app = typer.Typer(help="The valuation engine: value a CSV of comps, recompute stored items.")

PLACEHOLDER_ITEM = uuid.UUID(int=0)


def _as_of(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = datetime.combine(date.fromisoformat(value), time(23, 59, 59))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def comps_from_rows(rows: list[comps_csv.CompRow], rates: money.Rates) -> list[Any]:
    """The comps the collector's CSV import makes of these rows (its totals, its rates)."""
    from fairmarket.valuation.domain import Comp

    out = []
    for row in rows:
        # As the import: price plus shipping, whatever the quantity (a guide row's price is
        # one unit's, a sale's what the lot went for), each converted with the shared table.
        try:
            total = rates.total_usd_cents(row.price, row.currency, row.shipping, row.currency)
        except money.UnknownCurrency as exc:
            raise typer.BadParameter(
                f"line {row.line}: {exc}; pass --rate {row.currency}=..."
            ) from exc
        out.append(
            Comp(
                price_point_id=f"line-{row.line}",
                source=row.source,
                reputation=1.0,
                kind=row.kind,
                total_usd_cents=total,
                observed_at=row.observed_at,
                sale_format=row.sale_format,
                bids=row.bids,
                grade=row.grade or row.condition,
            )
        )
    return out


def rates_with(entries: list[str]) -> money.Rates:
    """The shared rates table with `CODE=X` entries (USD per unit) over it."""
    overrides: dict[str, object] = {}
    for entry in entries:
        code, sep, amount = entry.partition("=")
        code = code.strip().upper()
        if not sep or len(code) != 3 or not code.isalpha():
            raise typer.BadParameter(f"--rate {entry!r}: expected CODE=number, e.g. GBP=1.27")
        overrides[code] = amount
    try:
        return money.Rates().with_rates(overrides)
    except ValueError as exc:
        raise typer.BadParameter(f"--rate: {exc}") from exc


def _money(cents: int | None) -> str:
    return "—" if cents is None else f"${cents / 100:,.2f}"


@app.command("value")
def value_csv(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="comps CSV")],
    as_of: Annotated[
        str | None, typer.Option(help="value as of this date (ISO); default now")
    ] = None,
    grade: Annotated[
        str | None, typer.Option(help="the item's grade, e.g. MS63, PSA 10, VG+")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the valuation as JSON")] = False,
    rate: Annotated[
        list[str] | None,
        typer.Option(
            help="USD per unit of a currency, e.g. GBP=1.27, over the collector's built-in "
            f"table ({', '.join(money.DEFAULT_USD_PER_UNIT)})"
        ),
    ] = None,
) -> None:
    """Value a CSV of comps (the collector's import format) with the live engine."""
    from fairmarket.valuation.domain import value

    result = comps_csv.parse(path.read_bytes(), item_id=PLACEHOLDER_ITEM)
    if not result.ok:
        for error in result.errors[:50]:
            typer.echo(error, err=True)
        raise typer.Exit(2)
    comps = comps_from_rows(result.rows, rates_with(rate or []))
    valuation = value(comps, as_of=_as_of(as_of), grade=grade)
    if as_json:
        payload = valuation.to_payload()
        payload["as_of"] = valuation.as_of.isoformat()
        payload["details"] = valuation.details_payload()
        typer.echo(json.dumps(payload, indent=2, default=str))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{path.name}: {len(result.rows)} comps as of {valuation.as_of:%Y-%m-%d}")
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = [
        ("fair market value", _money(valuation.fmv_usd_cents)),
        (
            "likely over the next two weeks (80%)",
            f"{_money(valuation.fmv_low_usd_cents)} to {_money(valuation.fmv_high_usd_cents)}",
        ),
        (
            "p10 to p90 of past sales",
            f"{_money(valuation.p10_usd_cents)} to {_money(valuation.p90_usd_cents)}",
        ),
        (
            "95% interval of the median",
            f"{_money(valuation.ci95_low_usd_cents)} to {_money(valuation.ci95_high_usd_cents)}",
        ),
        ("confidence", f"{valuation.confidence}/10"),
        ("basis", valuation.basis),
        (
            "comps used / outliers / filtered",
            f"{valuation.comps_used} / {valuation.comps_outliers} / {valuation.comps_filtered}",
        ),
        (
            "trend per 30 days",
            "—" if valuation.trend_pct_per_30d is None else f"{valuation.trend_pct_per_30d:+.1f}%",
        ),
        ("method", valuation.method),
    ]
    for name, shown in rows:
        table.add_row(name, shown)
    console = Console()
    console.print(table)
    console.print(valuation.explanation)


@app.command()
def recompute(
    item: Annotated[list[uuid.UUID] | None, typer.Option(help="only these items")] = None,
    all_items: Annotated[bool, typer.Option("--all", help="every item with comps")] = False,
) -> None:
    """Recompute with the current method and emit what changed (after a method change)."""
    if not item and not all_items:
        raise typer.BadParameter("name --item ID (repeatable) or --all")
    from fairmarket.valuation.recompute import recompute_items
    from fairmarket.valuation.settings import ValuationSettings

    settings = ValuationSettings()  # type: ignore[call-arg]
    changed, total = asyncio.run(recompute_items(settings, item or None))
    typer.echo(f"recomputed {total} items: {changed} changed and were emitted")


@app.command()
def accuracy(
    data: Annotated[
        Path,
        typer.Option(
            help="the shared data folder (sales/ inside)", envvar="FAIRMARKET_SHARED_DATA"
        ),
    ] = Path("../shared/data"),
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object")] = False,
) -> None:
    """Rolling-origin backtest on real sales: the engine beside a panel of simple
    rules on the same cases, out of sample by player folds, by volume and confidence."""
    from rich.console import Console

    from fairmarket.valuation.accuracy import CARDS, measure

    if not (data / CARDS).exists():
        raise typer.BadParameter(f"{data / CARDS} not found; pass --data PATH/TO/shared/data")
    with Console(stderr=True).status("backtesting on real sales..."):
        figures = measure(data)
    if as_json:
        typer.echo(json.dumps(figures.as_dict()))
        return
    from fairmarket.valuation.accuracy_report import print_report

    print_report(figures, Console())

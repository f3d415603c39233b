"""`fairmarket valuation value` values a spreadsheet of comps with the live engine."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from fairmarket.cli.main import app

CSV = """title,price,currency,date,shipping,kind
1921-D Morgan MS63,400,USD,2026-11-01,5,sold
1921-D Morgan MS63 PCGS,410,USD,2026-10-20,5,sold
1921 D Morgan MS 63,395,USD,2026-10-10,0,sold
1921-D Morgan NGC MS63,420,USD,2026-09-15,4,sold
1921-D Morgan NGC MS63,300,GBP,2026-09-14,0,sold
"""


def test_value_prints_the_valuation_as_json(tmp_path: Path) -> None:
    path = tmp_path / "comps.csv"
    path.write_text(CSV)
    result = CliRunner().invoke(
        app,
        [
            "valuation",
            "value",
            str(path),
            "--as-of",
            "2026-11-22",
            "--grade",
            "MS63",
            "--json",
            "--rate",
            "GBP=1.30",
        ],
    )
    assert result.exit_code == 0, result.output
    valuation = json.loads(result.output)
    assert valuation["comps"]["total"] == 5
    assert 39_000 <= valuation["fmv_usd_cents"] <= 42_500
    # the 80% range of the next fortnight, around the value, and said in the explanation
    low, high = valuation["fmv_low_usd_cents"], valuation["fmv_high_usd_cents"]
    assert low < valuation["fmv_usd_cents"] < high
    assert (
        f"likely ${round(low / 100):,}-${round(high / 100):,} over the next two weeks"
        in (valuation["explanation"])
    )
    assert valuation["as_of"].startswith("2026-11-22")
    assert len(valuation["details"]["comps"]) == 5


def test_a_bad_file_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "comps.csv"
    path.write_text("title,price,currency,date\nx,abc,USD,2026-01-01\n")
    result = CliRunner().invoke(app, ["valuation", "value", str(path)])
    assert result.exit_code == 2
    assert "line 2: price 'abc' is not a number" in result.output


def test_a_currency_without_a_rate_is_named(tmp_path: Path) -> None:
    path = tmp_path / "comps.csv"
    path.write_text(CSV + "1921-D Morgan MS63,3500,SEK,2026-09-13,0,sold\n")
    result = CliRunner().invoke(app, ["valuation", "value", str(path)])
    assert result.exit_code != 0
    assert "line 7" in result.output and "SEK" in result.output
    again = CliRunner().invoke(app, ["valuation", "value", str(path), "--rate", "sek=0.095"])
    assert again.exit_code == 0, again.output


def test_a_bad_rate_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "comps.csv"
    path.write_text(CSV)
    for bad in ("GBP", "GBP=abc", "GBP=-1", "POUND=1.2"):
        result = CliRunner().invoke(app, ["valuation", "value", str(path), "--rate", bad])
        assert result.exit_code == 2, (bad, result.output)
        assert "--rate" in result.output


def test_rows_give_the_comps_the_collectors_import_gives() -> None:
    """The import (fairmarket.collector.imports) totals price plus shipping, quantity aside."""
    import uuid

    from fairmarket.common import comps_csv, money
    from fairmarket.valuation.cli import comps_from_rows

    data = (
        b"title,price,currency,date,shipping,kind,quantity\n"
        b"Charizard PSA 10 market,120.50,USD,2026-11-01,0,guide,4\n"
        b"Charizard PSA 10,118,USD,2026-11-02,3.25,sold,2\n"
        b"Charizard PSA 10 low,99.99,USD,2026-11-03,,guide,\n"
    )
    result = comps_csv.parse(data, item_id=uuid.UUID(int=0))
    assert result.ok, result.errors
    comps = comps_from_rows(result.rows, money.Rates())
    assert [c.total_usd_cents for c in comps] == [12_050, 12_125, 9_999]
    assert [c.kind for c in comps] == ["guide", "sold", "guide"]


def test_other_currencies_convert_with_the_collectors_rates(tmp_path: Path) -> None:
    """EUR and GBP rows need no --rate: the collector's table (fairmarket.common.money)
    converts them, to the cent the collector's import would; --rate still overrides it."""
    import uuid
    from decimal import Decimal

    from fairmarket.collector.domain.money import Rates as CollectorRates
    from fairmarket.common import comps_csv
    from fairmarket.valuation.cli import comps_from_rows, rates_with

    data = (
        b"title,price,currency,date,shipping\n"
        b"Morgan MS63,370.37,EUR,2026-11-01,4.99\n"
        b"Morgan MS63,315,gbp,2026-11-02,0\n"
        b"Morgan MS63,61000,JPY,2026-11-03,1500\n"
    )
    rows = comps_csv.parse(data, item_id=uuid.UUID(int=0)).rows
    collector = CollectorRates()
    imported = [
        collector.total_usd_cents(r.price, r.currency, r.shipping, r.currency) for r in rows
    ]
    assert [c.total_usd_cents for c in comps_from_rows(rows, rates_with([]))] == imported
    assert imported == [40_539, 40_005, 41_875]  # 370.37 x 1.08 + 4.99 x 1.08; 315 x 1.27; ...
    overridden = comps_from_rows(rows, rates_with(["GBP=1.30"]))
    assert [c.total_usd_cents for c in overridden] == [40_539, 40_950, 41_875]
    assert collector.usd_per_unit["GBP"] == Decimal("1.27")

    path = tmp_path / "comps.csv"
    path.write_text(CSV)
    result = CliRunner().invoke(
        app, ["valuation", "value", str(path), "--as-of", "2026-11-22", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["comps"]["total"] == 5

"""The comps CSV format: every row validated, a bad file refused whole with its reasons."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from fairmarket.common import comps_csv

ITEM = uuid.uuid4()


def test_a_good_file_parses_with_defaults() -> None:
    data = (
        "\ufefftitle,price,currency,date,shipping,bids,format\n"
        "1921-D Morgan MS63 PCGS,412.50,USD,2026-10-01,5.00,12,auction\n"
        'Heritage lot 1234,"1,050",usd,2026-09-30T14:00:00+00:00,,,\n'
    ).encode()
    result = comps_csv.parse(data, item_id=ITEM)
    assert result.ok, result.errors
    first, second = result.rows
    assert first.price == Decimal("412.50") and first.shipping == Decimal("5.00")
    assert first.kind == "sold" and first.sale_format == "auction" and first.bids == 12
    assert first.item_id == ITEM and first.source == "manual" and first.line == 2
    assert second.price == Decimal("1050") and second.currency == "USD"
    assert second.observed_at.isoformat() == "2026-09-30T14:00:00+00:00"


def test_every_bad_row_is_reported_and_nothing_is_taken() -> None:
    data = (
        "title,price,currency,date,kind,item_id\n"
        f"ok,1.00,USD,2026-01-01,sold,{ITEM}\n"
        "no price,,USD,2026-01-01,sold,\n"
        f"bad,-3,DOLLARS,yesterday,stolen,{ITEM}\n"
    ).encode()
    result = comps_csv.parse(data)
    assert not result.ok
    text = "\n".join(result.errors)
    assert "line 3: price is required" in text
    assert "line 3: item_id is required" in text
    assert "line 4: price '-3' must be a non-negative number" in text
    assert "line 4: currency 'DOLLARS'" in text
    assert "line 4: date 'yesterday'" in text
    assert "line 4: kind 'stolen'" in text


def test_missing_columns_are_named() -> None:
    result = comps_csv.parse(b"title,price\nx,1\n")
    assert result.errors == ["missing columns: currency, date"]


def test_size_and_row_bounds() -> None:
    with pytest.raises(comps_csv.CsvTooLarge):
        comps_csv.parse(b"x" * (comps_csv.MAX_BYTES + 1))
    rows = "".join("t,1,USD,2026-01-01\n" for _ in range(11))
    with pytest.raises(comps_csv.CsvTooLarge):
        comps_csv.parse(f"title,price,currency,date\n{rows}".encode(), item_id=ITEM, max_rows=10)

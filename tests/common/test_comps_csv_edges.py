"""A comps file is refused whole when any cell is one the services downstream cannot take."""

from __future__ import annotations

import uuid

import pytest

from fairmarket.common import comps_csv

ITEM = uuid.uuid4()
GOOD = "Heritage lot 1921-D Morgan,205,USD,2024-10-02"


def parse(*rows: str, header: str = "title,price,currency,date") -> comps_csv.ParseResult:
    return comps_csv.parse("\n".join([header, GOOD, *rows]).encode(), item_id=ITEM)


@pytest.mark.parametrize(
    ("row", "why"),
    [
        ("A,10,USD,0001-01-01", "out of range"),
        ("A,10,USD,9999-12-31T23:59:59-12:00", "out of range"),
        ("A,10,USD,1899-12-31", "out of range"),
        ("A,10,USD,2099-01-01", "in the future"),
        ("A\x00,10,USD,2024-01-01", "NUL"),
    ],
)
def test_a_bad_date_or_a_nul_refuses_the_whole_file(row: str, why: str) -> None:
    result = parse(row)
    assert not result.ok
    assert any(why in e and e.startswith("line 3") for e in result.errors), result.errors


@pytest.mark.parametrize(
    ("header", "row", "why"),
    [
        ("url", "javascript:alert(document.cookie)", "http or https"),
        ("url", "data:text/html,<script>x</script>", "http or https"),
        ("url", "http://host\t/a", "whitespace"),
        ("bids", str(2**63), "from 0 to"),
        ("quantity", "99999999999999999999999", "from 1 to"),
        ("grade", "g" * 101, "longer than 100"),
        ("condition", "c" * 101, "longer than 100"),
        ("source", "ebay api", "letters, digits"),
        ("source", "s" * 91, "longer than 90"),
    ],
)
def test_cells_beyond_what_the_columns_hold_are_refused(header: str, row: str, why: str) -> None:
    full = "title,price,currency,date," + header
    result = comps_csv.parse(f"{full}\n{GOOD},\nA,10,USD,2024-01-01,{row}\n".encode(), item_id=ITEM)
    assert not result.ok
    assert any(why in e for e in result.errors), result.errors


def test_a_comps_source_is_the_imports_own() -> None:
    result = comps_csv.parse(
        b"title,price,currency,date,url,source\n"
        b"A,10,USD,2024-01-01,https://www.ebay.com/itm/1,ebay\n"
        b"B,10,USD,2024-01-01,,heritage\n"
        b"C,10,USD,2024-01-01,,\n",
        item_id=ITEM,
    )
    assert result.ok, result.errors
    assert [r.source for r in result.rows] == ["manual:ebay", "manual:heritage", "manual"]
    assert result.rows[0].url == "https://www.ebay.com/itm/1"


def test_a_field_over_the_csv_limit_is_an_error_not_a_crash() -> None:
    result = parse('"' + "x" * 200_000 + '",1,USD,2024-01-01')
    assert not result.ok and "not CSV" in result.errors[0]

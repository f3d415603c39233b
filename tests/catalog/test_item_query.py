"""The admin's item filters become the right SQL; cursors round-trip and reject tampering."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy.dialects import postgresql

from fairmarket.catalog.domain import item_query
from fairmarket.catalog.domain.csv_export import csv_line, item_csv_row
from fairmarket.catalog.domain.item_query import ItemFilter


def sql(f: ItemFilter, cursor: str | None = None) -> str:
    query = item_query.build(f, limit=10, cursor=cursor)
    return str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def test_no_filter_lists_newest_first_with_one_extra_row_for_the_next_page() -> None:
    text = sql(ItemFilter())
    assert "ORDER BY catalog.items.created_at DESC NULLS LAST, catalog.items.id DESC" in text
    assert "LIMIT 11" in text


def test_each_filter_adds_its_condition() -> None:
    text = sql(
        ItemFilter(
            category="coin",
            q="morgan",
            year=1921,
            grade="MS63",
            min_fmv_usd_cents=100,
            max_fmv_usd_cents=5000,
            min_confidence=6,
            has_valuation=True,
        )
    )
    assert "catalog.items.category = 'coin'" in text
    assert "ILIKE '%%morgan%%'" in text  # %% is the driver's escaping of %
    assert "->> 'year') = '1921'" in text
    assert "catalog.items.fmv_usd_cents >= 100" in text
    assert "catalog.items.fmv_usd_cents <= 5000" in text
    assert "catalog.items.confidence >= 6" in text
    assert "valuation_version IS NOT NULL" in text


def test_free_text_wildcards_are_escaped() -> None:
    params = item_query.build(ItemFilter(q="100%_off"), limit=1).compile().params
    assert "%100\\%\\_off%" in params.values()


def test_a_cursor_round_trips_and_pins_its_sort_order() -> None:
    f = ItemFilter(sort="fmv")
    row = SimpleNamespace(id=uuid.uuid4(), fmv_usd_cents=41200)
    cursor = item_query.encode_cursor(f, row)
    assert item_query.decode_cursor(f, cursor) == (41200, row.id)
    with pytest.raises(item_query.BadCursor):
        item_query.decode_cursor(ItemFilter(sort="title"), cursor)
    with pytest.raises(item_query.BadCursor):
        item_query.decode_cursor(f, "garbage!")


def test_a_datetime_cursor_continues_after_the_last_row() -> None:
    f = ItemFilter()
    row = SimpleNamespace(id=uuid.uuid4(), created_at=datetime(2026, 1, 2, tzinfo=UTC))
    text = sql(f, item_query.encode_cursor(f, row))
    assert "catalog.items.created_at < '2026-01-02" in text


def test_csv_rows_are_dollars_and_defuse_formulas() -> None:
    row = item_csv_row(
        {
            "id": "x",
            "category": "coin",
            "title": "=HYPERLINK(evil)",
            "revision": 1,
            "attribution": {"category": "coin", "year": 1921, "mintmark": "D", "grade": None},
            "valuation": {
                "fmv_usd_cents": 41250,
                "fmv_low_usd_cents": 37000,
                "fmv_high_usd_cents": 48000,
                "confidence": 8,
                "version": 2,
            },
        }
    )
    line = csv_line(row)
    assert "412.50" in line and "mintmark=D; year=1921" in line
    assert "412.50,370.00,480.00," in line  # the likely range beside the FMV
    assert "'=HYPERLINK(evil)" in line

"""Spreadsheet rows for items and comps: pure, no I/O."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

ITEM_CSV_COLUMNS = [
    "id",
    "category",
    "title",
    "revision",
    "attribution",
    "fmv_usd",
    "likely_low_usd",  # the 80% range of the next two weeks' sales (fmv-2026.12.1 on)
    "likely_high_usd",
    "p10_usd",
    "p90_usd",
    "confidence",
    "valuation_version",
    "explanation",
]

COMP_CSV_COLUMNS = [
    "price_point_id",
    "source",
    "kind",
    "title",
    "url",
    "price",
    "currency",
    "shipping",
    "total_usd_cents",
    "observed_at",
    "sale_format",
    "condition",
    "grade",
    "match_score",
    "filtered",
    "filtered_reason",
    "excluded",
    "excluded_reason",
    "excluded_by",
    "outlier",
]


def _dollars(cents: int | None) -> str:
    return "" if cents is None else f"{cents / 100:.2f}"


def _cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text that came from marketplaces."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_line(values: Sequence[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["" if v is None else _cell(v) for v in values])
    return buffer.getvalue()


def item_csv_row(item: dict[str, Any]) -> list[Any]:
    valuation = item.get("valuation") or {}
    attribution = "; ".join(
        f"{k}={v}"
        for k, v in sorted(item["attribution"].items())
        if v is not None and k != "category"
    )
    return [
        item["id"],
        item["category"],
        item["title"],
        item["revision"],
        attribution,
        _dollars(valuation.get("fmv_usd_cents")),
        _dollars(valuation.get("fmv_low_usd_cents")),
        _dollars(valuation.get("fmv_high_usd_cents")),
        _dollars(valuation.get("p10_usd_cents")),
        _dollars(valuation.get("p90_usd_cents")),
        valuation.get("confidence"),
        valuation.get("version"),
        valuation.get("explanation"),
    ]

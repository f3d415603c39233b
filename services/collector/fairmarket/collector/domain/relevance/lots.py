"""Several items in one listing, for coins and records (cards and products have rules of
their own: a card lot reads differently, a product lot is a bundle)."""

from __future__ import annotations

import re

from fairmarket.collector.domain.relevance.text import fold

_LOT_ANY = re.compile(
    r"\b(?:lot|lots|bundle|bulk|job lot|roll)\b|^\W*\(\s*[2-9]\s*\)|\b[2-9]\s*x\b(?!\s*(?:lp|cd|7|10|12)\b)"
    r"|\b\d+\s*(?:coins|records|albums|pieces)\b|\b[2-9]-pack\b"
)


def lot_reason(title: str) -> str | None:
    """Several items in one listing ("lot", "roll", "(3)", "2x", "5 coins"); "2 x LP" is
    one double album."""
    if m := _LOT_ANY.search(fold(title)):
        return f"a lot of several ('{m.group(0).strip()}')"
    return None

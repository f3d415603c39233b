"""How well a listing matches the attribution (0..1), and the hard mismatches that filter it."""

from __future__ import annotations

import re
from typing import Any

_YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)\b")
_COIN_DATE = re.compile(r"\b(1[6-9]\d\d|20\d\d)[\s-]?([A-Z]{1,2})?\b")
_CARD_NUMBER = re.compile(r"#?\b(\d{1,3})\s*/\s*(\d{1,3})\b")


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def hard_mismatch(category: str, attribution: Any, title: str) -> str | None:
    """Another year, another mintmark or another set number: not the same item."""
    if category == "coin" and attribution.year:
        for year, mint in _COIN_DATE.findall(title.upper()):
            if int(year) != attribution.year:
                return f"another year ({year})"
            mm = (attribution.mintmark or "").upper()
            if mint and mint in {"D", "S", "O", "CC", "P", "W"} and mm and mint != mm:
                return f"another mintmark ({year}-{mint})"
            if mint in {"D", "S", "O", "CC", "W"} and not mm:
                return f"another mintmark ({year}-{mint})"
    if category == "card" and attribution.number:
        wanted = _CARD_NUMBER.search(attribution.number)
        found = _CARD_NUMBER.search(title)
        if wanted and found and found.groups() != wanted.groups():
            return f"another card number ({found.group(1)}/{found.group(2)})"
    if category == "record" and attribution.catalog_number:
        cat = re.sub(r"[\s-]", "", attribution.catalog_number.upper())
        codes = re.findall(r"\b([A-Z]{2,5})[\s-]?(\d{3,6})\b", title.upper())
        prefixes = {re.match(r"[A-Z]+", cat).group(0) if re.match(r"[A-Z]+", cat) else ""}
        for prefix, digits in codes:
            if prefix in prefixes and f"{prefix}{digits}" != cat:
                return f"another catalog number ({prefix} {digits})"
    return None


def match_score(category: str, attribution: Any, title: str) -> float:
    """Share of the attribution's identifying words found in the title."""
    fields = {
        "coin": ("year", "mintmark", "denomination", "variety"),
        "card": ("name", "set", "number", "variant"),
        "record": ("artist", "title", "catalog_number"),
        "product": ("brand", "name", "variant"),
    }[category]
    wanted: set[str] = set()
    for name in fields:
        value = getattr(attribution, name, None)
        if value:
            wanted |= _words(str(value))
    wanted -= {"the", "of", "a", "and", "set"}
    if not wanted:
        return 0.5
    title_words = _words(title.replace("-", " ").replace("/", " "))
    return round(len(wanted & title_words) / len(wanted), 3)

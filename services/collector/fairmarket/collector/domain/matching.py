"""How well a listing matches the attribution (0..1), and the hard mismatches that filter it."""

from __future__ import annotations

import re
from typing import Any

_YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)\b")
_COIN_DATE = re.compile(r"\b(1[6-9]\d\d|20\d\d)[\s-]?([A-Z]{1,2})?\b")
_CARD_NUMBER = re.compile(r"#?\b(\d{1,3})\s*/\s*(\d{1,3})\b")
# a grade out of ten ("PSA 9/10", "Grade 9/10?!") is no card number
_GRADED = re.compile(r"(?:psa|bgs|sgc|cgc|tag|bccg|gma|beckett|grade[ds]?)\s*$", re.IGNORECASE)
# "#321", "# 321", "#US250", "#C211", "No. 201", "NO 201", "Card Number#327": not "#/99"
# (a print run), not "#1 pick" (a ranking), not a year
_HASH_NUMBER = re.compile(
    r"(?:#|\bno\.?(?=\s*\d)|\bnumber\b)\s*#?\s*([a-z]{1,3})?(\d{1,4})\b"
    r"(?!\s*(?:overall|pick|prospect|draft|seed|ranked|rated prospect)\b)",
    re.IGNORECASE,
)
_PLAIN_NUMBER = re.compile(
    r"^\s*#?\s*([a-z]{1,3})?-?(\d{1,4})\s*(?:/\s*\d{1,4})?\s*$", re.IGNORECASE
)
# mintmarks a title may spell out instead of the letter after the date
_MINT_CITY = {
    "D": "denver",
    "S": "san francisco",
    "O": "new orleans",
    "CC": "carson city",
    "W": "west point",
}
MISSING_MINTMARK = 0.8
"""Score factor for a coin title whose date carries no mintmark when the item has one:
titles often leave it out, so it is no mismatch, but it is a weaker comp."""


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
        if reason := _card_number_mismatch(attribution.number, title):
            return reason
    if category == "record" and attribution.catalog_number:
        cat = re.sub(r"[\s-]", "", attribution.catalog_number.upper())
        codes = re.findall(r"\b([A-Z]{2,5})[\s-]?(\d{3,6})\b", title.upper())
        prefixes = {re.match(r"[A-Z]+", cat).group(0) if re.match(r"[A-Z]+", cat) else ""}
        for prefix, digits in codes:
            if prefix in prefixes and f"{prefix}{digits}" != cat:
                return f"another catalog number ({prefix} {digits})"
    return None


def _same_number(prefix: str, digits: str, want_prefix: str, want_digits: str) -> bool:
    """'#250' is US250 (the prefix is often left out); '#C211' is not 201."""
    if digits.lstrip("0") != want_digits.lstrip("0"):
        return False
    return not prefix or not want_prefix or prefix.upper() == want_prefix.upper()


def _not_a_number(m: re.Match[str], title: str) -> bool:
    """An "N/M" that is a grade ("PSA 9/10", "9/10") or a season ("15/16"), not a card."""
    a, b = m.group(1), m.group(2)
    if _GRADED.search(title[: m.start()]) or (b == "10" and int(a) <= 10):
        return True
    return len(a) == len(b) == 2 and int(b) == (int(a) + 1) % 100


def _card_number_mismatch(number: str, title: str) -> str | None:
    """Another card number in the title, in "N/M" form or as "#N"/"No. N"; a title that
    gives the wanted number anywhere, or no number, is no mismatch."""
    wanted = _CARD_NUMBER.search(number)
    if wanted:
        want = tuple(map(int, wanted.groups()))  # 082/078 is 82/78
        found = [m for m in _CARD_NUMBER.finditer(title) if not _not_a_number(m, title)]
        if found and all(tuple(map(int, m.groups())) != want for m in found):
            return f"another card number ({found[0].group(1)}/{found[0].group(2)})"
    plain = _PLAIN_NUMBER.match(number)
    if not plain:
        return None
    want_prefix, want_digits = plain.group(1) or "", plain.group(2)
    numbers = [
        (m.group(1) or "", m.group(2))
        for m in _HASH_NUMBER.finditer(title)
        if not (len(m.group(2)) == 4 and _YEAR.fullmatch(m.group(2)) and len(want_digits) < 4)
    ]
    if numbers and not any(_same_number(p, d, want_prefix, want_digits) for p, d in numbers):
        return f"another card number (#{numbers[0][0]}{numbers[0][1]})"
    return None


def _mintmark_shown(year: int, mintmark: str, title: str) -> bool:
    """The title's date carries the mintmark (1921-D, 1921 D, 1921D), or names the mint."""
    mm = mintmark.upper()
    dates = _COIN_DATE.findall(title.upper())
    if any(int(y) == year and mint == mm for y, mint in dates):
        return True
    city = _MINT_CITY.get(mm)
    return bool(city) and f" {city} " in f" {' '.join(re.findall(r'[a-z]+', title.lower()))} "


def match_score(category: str, attribution: Any, title: str) -> float:
    """Share of the attribution's identifying words found in the title."""
    fields = {
        "coin": ("year", "mintmark", "denomination", "variety"),
        "card": ("name", "set", "number", "variant"),
        "record": ("artist", "title", "catalog_number"),
        "product": ("brand", "name", "variant"),
    }[category]
    # a coin's mintmark is judged on the title's date, not as a loose one-letter word
    mintmark = category == "coin" and attribution.year and (attribution.mintmark or "").strip()
    wanted: set[str] = set()
    for name in fields:
        value = getattr(attribution, name, None)
        if value and not (mintmark and name == "mintmark"):
            wanted |= _words(str(value))
    wanted -= {"the", "of", "a", "and", "set"}
    if not wanted:
        return 0.5
    text = title.replace("-", " ").replace("/", " ")
    if category == "coin":
        text = re.sub(r"\b(1[6-9]\d\d|20\d\d)([A-Za-z]{1,2})\b", r"\1 \2", text)  # 1921D
    title_words = _words(text)
    score = len(wanted & title_words) / len(wanted)
    # Philadelphia coins mostly carry no mintmark, so a title without one is no weaker comp
    if (
        mintmark
        and mintmark.upper() != "P"
        and not _mintmark_shown(attribution.year, mintmark, title)
    ):
        score *= MISSING_MINTMARK
    return round(score, 3)

"""Grades on one scale per category, also read out of listing titles."""

from __future__ import annotations

import re

_COIN = re.compile(
    r"\b(MS|PF|PR|SP|AU|XF|EF|VF|F|VG|G|AG|FR|PO)[\s-]?(\d{1,2})(?:\+)?\b(?:\s*(RD|RB|BN|DCAM|CAM|PL|DMPL))?",
    re.I,
)
_CARD = re.compile(
    r"\b(PSA|BGS|BECKETT|CGC|SGC|TAG)\s*(?:GEM\s*(?:MINT|MT)\s*|MINT\s*|NM-MT\s*)?(10|[1-9](?:\.5)?)\b",
    re.I,
)
_CARD_CONDITION = re.compile(
    r"\b(NM|Near Mint|LP|Lightly Played|MP|Moderately Played|HP|Heavily Played|DMG|Damaged)\b",
    re.I,
)
_RECORD = re.compile(r"(?<![A-Za-z])(M|NM|EX|VG\+|VG|G\+|G|F|P)(?![A-Za-z+])")
_CARD_WORDS = {
    "near mint": "NM",
    "lightly played": "LP",
    "moderately played": "MP",
    "heavily played": "HP",
    "damaged": "DMG",
}
_VALID_SHELDON = set(range(1, 71))


def coin_grade(text: str) -> str | None:
    """'MS63', 'PF69 DCAM', 'AU58' out of 'NGC MS 63 RD' or '1921-D MS-63'."""
    for m in _COIN.finditer(text):
        prefix, number = m.group(1).upper(), int(m.group(2))
        if number not in _VALID_SHELDON:
            continue
        if prefix == "EF":
            prefix = "XF"
        if prefix == "PR":
            prefix = "PF"
        if (prefix in {"F", "G", "VG", "AG"} and number > 15) or (prefix == "MS" and number < 60):
            continue
        suffix = f" {m.group(3).upper()}" if m.group(3) else ""
        return f"{prefix}{number}{suffix}"
    return None


def card_grade(text: str) -> str | None:
    """'PSA 10', 'BGS 9.5', or a raw condition 'NM'/'LP'/'MP'/'HP'/'DMG'."""
    m = _CARD.search(text)
    if m:
        grader = m.group(1).upper()
        grader = "BGS" if grader == "BECKETT" else grader
        return f"{grader} {m.group(2)}"
    c = _CARD_CONDITION.search(text)
    if c:
        word = c.group(1).lower()
        return _CARD_WORDS.get(word, word.upper())
    return None


def record_grade(text: str) -> str | None:
    """Goldmine grades (M, NM, VG+, VG, G+, G); the first one named is the media's."""
    m = _RECORD.search(text)
    return m.group(1).upper() if m else None


def grade_of(category: str, text: str | None) -> str | None:
    if not text:
        return None
    if category == "coin":
        return coin_grade(text)
    if category == "card":
        return card_grade(text)
    if category == "record":
        return record_grade(text)
    return None


def same_grade(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return True
    return a.replace(" ", "").upper() == b.replace(" ", "").upper()

"""Trading cards: another card (reprint, custom, pack, lot, parallel, insert, another
year) or another grade scale (another grader, a slab for a raw card or the reverse)."""

from __future__ import annotations

import re
from typing import Any

from fairmarket.collector.domain.relevance.text import fold, has_phrase, tokens
from fairmarket.common.grades import RAW_CONDITIONS, card_grader, card_grades, normalize_grade

# phrase -> why a listing naming it is another card than the one priced
_CARD_OTHER: tuple[tuple[str, str], ...] = (
    ("reproduction", "a reprint or reproduction"),
    ("reprint", "a reprint or reproduction"),
    ("rp", "a reprint or reproduction"),
    ("facsimile", "a reprint or reproduction"),
    ("aceo", "a custom card (ACEO), not the issued card"),
    ("trimmed", "an altered card (trimmed)"),
    ("altered", "an altered card"),
    ("repack", "a pack or box (a chance at the card)"),
    ("pack", "a pack or box (a chance at the card)"),
    ("packs", "a pack or box (a chance at the card)"),
    ("box", "a pack or box (a chance at the card)"),
    ("tin", "a pack or box (a chance at the card)"),
    ("blaster", "a pack or box (a chance at the card)"),
    ("lot", "a lot of several cards"),
    ("lots", "a lot of several cards"),
    ("cards", "several cards"),
    ("complete set", "a set of cards"),
    ("team set", "a set of cards"),
    ("set of", "a set of cards"),
    ("checklist", "another card (checklist)"),
    ("jumbo", "an oversized card (jumbo)"),
    ("oversized", "an oversized card"),
    ("press proof", "a parallel, not the base card (press proof)"),
    ("refractor", "a parallel, not the base card (refractor)"),
    ("foil", "a parallel, not the base card (foil)"),
    ("lime", "a parallel, not the base card (lime)"),
    ("canvas", "an insert, not the base card (canvas)"),
    ("exclusives", "a parallel, not the base card (exclusives)"),
    ("parallel", "a parallel, not the base card"),
    ("variation", "a variation, not the base card"),
    ("ssp", "a short-printed variation, not the base card (SSP)"),
    ("1st edition", "another edition (1st Edition)"),
    ("shadowless", "a variation, not the base card (Shadowless)"),
)
# a count before the card ("(3) 2018 Topps", "2X 2018 Topps"), a run of numbers, "w/ ..."
_CARD_LOT = re.compile(r"^\W*\(\s*[2-9]\s*\)|\b[2-9]\s*x\b|#\s*\d+\s*-\s*\d+|\sw/\s")
_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
# a bare slab grade ("9.5 with 10 sub", "Rookie 8.5", "GEM MINT 10"): a graded card
_BARE_GRADE = re.compile(
    r"(?<![\d./#-])(?:[1-9]\.[05]|10\.0)(?![\d./])|\bgem\s*(?:mint|mt)\s*10\b|\b10\s*grade\b"
)


def card_reason(a: Any, title: str, own: str, listing_grade: str | None = None) -> str | None:
    """Another card (reprint, custom, pack, lot, parallel, insert) or another grade scale
    (another grader, a raw card for a slab or a slab for a raw card). `own` is the item's
    own text: a phrase it names itself (a Canvas card, a foil) is no mismatch."""
    text = fold(title)
    surname = [t for t in tokens(a.name) if t not in _NAME_SUFFIXES][-1:]
    if surname and surname[0] not in tokens(title):
        return f"another card (no '{surname[0]}' in the title)"
    years = {int(y) for y in _YEAR.findall(text)}
    if a.year and years and a.year not in years:
        return f"another year ({min(years)})"
    for phrase, why in _CARD_OTHER:
        if has_phrase(text, phrase) and not has_phrase(own, phrase):
            return why
    if (m := _CARD_LOT.search(text)) and not has_phrase(own, m.group(0).strip()):
        return f"several cards ('{m.group(0).strip()}')"
    return card_grade_reason(a, title, listing_grade)


def card_grade_reason(a: Any, title: str, listing_grade: str | None = None) -> str | None:
    """The listing's grade on the item's scale: its grader's slab for a graded item, no slab
    for a raw one. Another grade on the same scale is the valuation's to weigh."""
    item = normalize_grade(a.grade) if a.grade else None
    raw = (item in RAW_CONDITIONS) or (
        item is None and normalize_grade(a.condition) in RAW_CONDITIONS
    )
    grader = card_grader(a.grade)
    slabs = card_grades(title)
    real = [(g, n) for g, n, guess in slabs if not guess]
    if raw:
        if real:
            return f"a graded card ({real[0][0]} {real[0][1]}), the item is ungraded"
        if m := _BARE_GRADE.search(fold(title)):
            return f"a graded card ('{m.group(0)}'), the item is ungraded"
        return None
    if grader is None:
        return None
    if any(g == grader for g, _ in real):
        return None
    if real:
        return f"graded by {real[0][0]}, not {grader}"
    if guess := next(((g, n) for g, n, guessed in slabs if guessed), None):
        return f"ungraded: '{guess[0]} {guess[1]}?' is a hope, not a grade"
    if listing_grade:
        return None  # the marketplace graded it (TCGplayer's NM): the valuation weighs it
    return f"names no {grader} grade (likely ungraded)"

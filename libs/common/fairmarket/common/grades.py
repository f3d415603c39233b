"""One grade scale for the collector and the valuation: read grades out of titles and
attribution fields, and bring every spelling of a grade to one key.

Coins use the Sheldon scale with PCGS's prefixes ("PR" for proofs, NGC's "PF" is the
same grade; "XF" for "EF") and keep a plus grade ("MS63+") apart from the plain one.
Cards keep their grader ("PSA 10", "BGS 9.5"): a grade means something only on its
grader's scale. Conditions become short codes ("NM", "VG+", "LP"); "RAW" is ungraded.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

CARD_GRADERS: tuple[str, ...] = (
    "PSA",
    "BGS",
    "BVG",
    "SGC",
    "CGC",
    "CSG",
    "HGA",
    "TAG",
    "GMA",
    "KSA",
    "ISA",
    "AGS",
    "BCCG",
    "MNT",
    "ACE",
)
"""The card grading companies whose slabs are sold on the marketplaces."""
CARD_GRADER_ALIASES = {"BECKETT": "BGS", "BAGS": "BGS", "BECKETT VINTAGE": "BVG"}
COIN_GRADERS: tuple[str, ...] = ("PCGS", "NGC", "ANACS", "ICG", "CAC")

_GRADER = "|".join(sorted((*CARD_GRADERS, *CARD_GRADER_ALIASES), key=len, reverse=True))
# "PSA 10", "PSA-10", "PSA10", "psa gem mt 10", "BGS 9.5", "PSA 8 (OC)"
_CARD = re.compile(
    rf"(?<![A-Z0-9])({_GRADER})\s*-?\s*(?:GRADED\s*|GRADING\s*)?"
    r"(?:GEM\s*(?:MINT|MT)\s*|MINT\s*|NM-MT\s*|NM\s*)?(\d{1,2}(?:\.\d+)?)(?![\d.]*\d)"
    r"(?:\s*\(?(OC|MC|ST|PD|OF|MK)\)?(?![A-Z]))?"
)
# a grade number that is a guess about a raw card: "PSA 10?", "PSA10 Ready?", "possible PSA 10"
_GUESS_AFTER = re.compile(r"^\s*(?:-\s*\d+(?:\.\d+)?)?\s*(?:\?|ready\b|worthy\b|candidate\b)", re.I)
_GUESS_BEFORE = re.compile(r"\b(?:possible|potential|easy|future|could be|should be)\s*$", re.I)
_SHELDON = re.compile(
    r"(?<![A-Z])(MS|PR|PF|SP|AU|XF|EF|VF|VG|AG|FR|FA|PO|F|G|P)\s*-?\s*(\d{1,2})(\+)?"
    r"(?:\s*(RD|RB|BN|DCAM|UCAM|CAM|DMPL|PL|FB|FH|FS|FBL)\b)?"
)
# in a title only the prefixes that cannot be an ordinary word or model name
_TITLE_SHELDON = re.compile(
    r"\b(MS|PF|PR|SP|AU|XF|EF|VF|F|VG|G|AG|FR|PO)[\s-]?(\d{1,2})(?!\d|\.\d)(\+)?"
    r"(?:\s*(RD|RB|BN|DCAM|UCAM|CAM|DMPL|PL)\b)?",
    re.I,
)
SHELDON_ALIAS = {"PF": "PR", "EF": "XF", "FA": "FR", "PO": "P"}
_CARD_CONDITION = re.compile(
    r"\b(NM|Near Mint|LP|Lightly Played|MP|Moderately Played|HP|Heavily Played|DMG|Damaged)\b",
    re.I,
)
_RECORD = re.compile(r"(?<![A-Za-z])(M|NM|EX|VG\+|VG|G\+|G|F|P)(?![A-Za-z+])")
_WORDS: tuple[tuple[str, str], ...] = (
    ("UNGRADED", "RAW"),
    ("RAW", "RAW"),
    ("VERY GOOD PLUS", "VG+"),
    ("VERY GOOD", "VG"),
    ("GOOD PLUS", "G+"),
    ("NEAR MINT", "NM"),
    ("NM-MT", "NM"),
    ("NM/M", "NM"),
    ("MINT", "M"),
    ("EX-MT", "EX-MT"),
    ("EXCELLENT", "EX"),
    ("LIGHTLY PLAYED", "LP"),
    ("SLIGHTLY PLAYED", "LP"),
    ("MODERATELY PLAYED", "MP"),
    ("HEAVILY PLAYED", "HP"),
    ("DAMAGED", "DMG"),
    ("GOOD", "G"),
    ("FAIR", "F"),
    ("POOR", "P"),
)
_SHORT = {
    "M": "M",
    "M-": "NM",
    "NM": "NM",
    "VG+": "VG+",
    "VG": "VG",
    "G+": "G+",
    "G": "G",
    "F": "F",
    "P": "P",
    "EX": "EX",
    "LP": "LP",
    "MP": "MP",
    "HP": "HP",
    "DMG": "DMG",
    "0": "RAW",
}
RAW_CONDITIONS = frozenset({"RAW", "NM", "M", "EX", "EX-MT", "LP", "MP", "HP", "DMG"})
"""Keys of an ungraded card: a raw card described by its condition."""


def _number(text: str) -> str:
    value = float(text)
    return str(int(value)) if value == int(value) else f"{value:g}"


def ascii_fold(text: str) -> str:
    """Accents dropped ("Acuña" is "Acuna"), any other non-ASCII character (an emoji between
    two words: "#327⚡PSA 9") made a space."""
    return "".join(
        c if ord(c) < 128 else ("" if unicodedata.combining(c) else " ")
        for c in unicodedata.normalize("NFKD", text)
    )


def _upper(text: str) -> str:
    return " ".join(ascii_fold(text).upper().replace("_", " ").split())


def _sheldon_key(prefix: str, number: int, plus: str | None, designation: str | None) -> str:
    key = SHELDON_ALIAS.get(prefix, prefix) + str(number) + (plus or "")
    return f"{key} {designation}" if designation else key


def normalize_grade(grade: str | None) -> str | None:
    """A canonical key for a grade string, or ``None`` when there is none.

    Card grades keep their grader ("PSA 10", "BGS 9.5", "PSA 8 OC"); coin grades
    drop it (an NGC and a PCGS MS63 trade alike) and keep prefix, number, plus
    and designation ("MS63", "PR69 DCAM", "MS65 RD"); conditions become short
    codes ("NM", "VG+", "LP"). Anything else is compared as cleaned text.
    """
    if grade is None:
        return None
    text = _upper(grade)
    if not text:
        return None
    if m := _CARD.search(text):
        grader = CARD_GRADER_ALIASES.get(m.group(1), m.group(1))
        key = f"{grader} {_number(m.group(2))}"
        return f"{key} {m.group(3)}" if m.group(3) else key
    if m := _SHELDON.search(text):
        number = int(m.group(2))
        if 1 <= number <= 70:
            return _sheldon_key(m.group(1), number, m.group(3), m.group(4))
    bare = text.strip(" .")
    if bare in _SHORT:
        return _SHORT[bare]
    for phrase, key in _WORDS:
        if re.search(rf"(?<![A-Z]){re.escape(phrase)}(?![A-Z])", text):
            return key
    for part in re.findall(r"\(([^)]*)\)", text):
        for token in re.split(r"\s+OR\s+|/", part):
            if token.strip() in _SHORT:
                return _SHORT[token.strip()]
    return re.sub(r"[^A-Z0-9+.]+", "", text) or None


def coin_grade(text: str) -> str | None:
    """'MS63', 'PR69 DCAM', 'MS63+', 'AU58' out of 'NGC MS 63 RD', '1921-D MS-63+' or
    'PF69 Ultra Cameo': numbers off the Sheldon scale, or off the prefix's range
    (an "MS 40", a "G 25"), are not grades."""
    for m in _TITLE_SHELDON.finditer(text):
        prefix, number = m.group(1).upper(), int(m.group(2))
        if not 1 <= number <= 70:
            continue
        if (prefix in {"F", "G", "VG", "AG"} and number > 15) or (prefix == "MS" and number < 60):
            continue
        designation = m.group(4).upper() if m.group(4) else None
        return _sheldon_key(prefix, number, m.group(3), designation)
    return None


def card_grades(text: str) -> list[tuple[str, str, bool]]:
    """Every slab grade a title names, as (grader, number, guess): a guess is a raw card's
    hoped-for grade ("PSA 10?", "possible PSA 10", "PSA 9-9.5?")."""
    upper = _upper(text)
    found = []
    for m in _CARD.finditer(upper):
        value = float(m.group(2))
        if not 1 <= value <= 10:
            continue
        grader = CARD_GRADER_ALIASES.get(m.group(1), m.group(1))
        guess = bool(
            _GUESS_AFTER.match(upper[m.end() :]) or _GUESS_BEFORE.search(upper[: m.start()])
        )
        found.append((grader, _number(m.group(2)), guess))
    return found


def card_grade(text: str) -> str | None:
    """'PSA 10', 'BGS 9.5', 'TAG 10', or a raw condition 'NM'/'LP'/'MP'/'HP'/'DMG'."""
    for grader, number, guess in card_grades(text):
        if not guess:
            return f"{grader} {number}"
    if c := _CARD_CONDITION.search(text):
        return normalize_grade(c.group(1))
    return None


def record_grade(text: str) -> str | None:
    """Goldmine grades (M, NM, VG+, VG, G+, G); the first one named is the media's."""
    m = _RECORD.search(text)
    return m.group(1).upper() if m else None


def grade_of(category: str, text: str | None) -> str | None:
    """The grade a title or an attribution field names, on the category's scale."""
    if not text:
        return None
    if category == "coin":
        return coin_grade(text)
    if category == "card":
        return card_grade(text)
    if category == "record":
        return record_grade(text)
    return None


def card_grader(grade: str | None) -> str | None:
    """The grading company of a card grade key ("PSA 10" -> "PSA"), None for a raw card."""
    key = normalize_grade(grade)
    if not key:
        return None
    head = key.split(" ")[0]
    return head if head in CARD_GRADERS else None


def same_grade(a: str | None, b: str | None) -> bool:
    """Two grades are the same when either is unknown or their keys agree."""
    if not a or not b:
        return True
    return normalize_grade(a) == normalize_grade(b)


def attributed_grade(attribution: object) -> str | None:
    """The grade an item is valued at: its attribution's grade, media grade or condition (the
    first one given), from an attribution model or its stored JSON alike. The collector's
    completions and the catalog's own (a request it gave up on) both carry it."""
    if attribution is None:
        return None
    if isinstance(attribution, Mapping):
        read = attribution.get
    else:

        def read(name: str) -> Any:
            return getattr(attribution, name, None)

    return read("grade") or read("media_grade") or read("condition")

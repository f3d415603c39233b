"""The grade scales the take-in form offers, written as the valuation reads them."""

from __future__ import annotations

_SHELDON = [1, 2, 3, 4, 6, 8, 10, 12, 15, 20, 25, 30, 35, 40, 45, 50, 53, 55, 58]
_SHELDON_PREFIX = {
    1: "PO", 2: "FR", 3: "AG", 4: "G", 6: "G", 8: "VG", 10: "VG", 12: "F", 15: "F",
    20: "VF", 25: "VF", 30: "VF", 35: "VF", 40: "XF", 45: "XF", 50: "AU", 53: "AU",
    55: "AU", 58: "AU",
}  # fmt: skip
COIN = [f"{_SHELDON_PREFIX[n]}{n}" for n in _SHELDON] + [f"MS{n}" for n in range(60, 71)]
COIN += [f"PR{n}" for n in range(60, 71)]
CARD_GRADE = (
    [f"PSA {n}" for n in range(10, 0, -1)]
    + [f"BGS {g}" for g in ("10", "9.5", "9", "8.5", "8")]
    + [f"CGC {g}" for g in ("10", "9.5", "9", "8.5", "8")]
    + [f"SGC {g}" for g in ("10", "9.5", "9")]
)
CARD_CONDITION = ["NM", "LP", "MP", "HP", "DMG"]
GOLDMINE = ["M", "NM", "VG+", "VG", "G+", "G", "F", "P"]

SCALES: dict[tuple[str, str], list[str]] = {
    ("coin", "grade"): COIN,
    ("card", "grade"): CARD_GRADE,
    ("card", "condition"): CARD_CONDITION,
    ("record", "media_grade"): GOLDMINE,
    ("record", "sleeve_grade"): GOLDMINE,
}

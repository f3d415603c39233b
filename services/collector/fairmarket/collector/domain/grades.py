"""Grades on one scale per category, also read out of listing titles: the shared scale
(`fairmarket.common.grades`), the same one the valuation compares grades on."""

from __future__ import annotations

from fairmarket.common.grades import (
    card_grade,
    card_grader,
    card_grades,
    coin_grade,
    grade_of,
    normalize_grade,
    record_grade,
    same_grade,
)

__all__ = [
    "card_grade",
    "card_grader",
    "card_grades",
    "coin_grade",
    "grade_of",
    "normalize_grade",
    "record_grade",
    "same_grade",
]

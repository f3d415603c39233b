"""Coins: a proof and a business strike are graded on different scales, so one is never
a comparable for the other."""

from __future__ import annotations

from typing import Any

from fairmarket.common.grades import coin_grade, normalize_grade


def coin_reason(a: Any, title: str) -> str | None:
    """A proof is on another scale than a business strike (PR69 against MS69)."""
    item = normalize_grade(a.grade) if a.grade else None
    got = coin_grade(title)
    if not item or not got:
        return None
    proof, other = item.startswith("PR"), got.startswith("PR")
    if proof and not other:
        return f"a business strike ({got}), the item is a proof"
    if other and not proof:
        return f"a proof ({got}), the item is a business strike"
    return None

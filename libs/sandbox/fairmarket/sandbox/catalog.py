"""The sandbox's reference collectibles, read from its bundled data file."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class Reference:
    id: str
    category: str
    keywords: tuple[str, ...]
    titles: tuple[str, ...]
    graders: tuple[str, ...]
    grades: dict[str, float]
    junk: tuple[str, ...]
    mismatch: tuple[str, ...]


@cache
def references() -> tuple[Reference, ...]:
    raw = json.loads(files("fairmarket.sandbox").joinpath("data/catalog.json").read_text())
    return tuple(
        Reference(
            id=i["id"],
            category=i["category"],
            keywords=tuple(i["keywords"]),
            titles=tuple(i["titles"]),
            graders=tuple(i["graders"]),
            grades=dict(i["grades"]),
            junk=tuple(i.get("junk", ())),
            mismatch=tuple(i.get("mismatch", ())),
        )
        for i in raw["items"]
    )


def tokens(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower().replace("-", " ")))


def best_match(query: str) -> Reference | None:
    """The reference a query asks about: the most shared keywords, at least two of them."""
    words = tokens(query)
    scored = sorted(((len(words & set(r.keywords)), r.id, r) for r in references()), reverse=True)
    if not scored or scored[0][0] < 2:
        return None
    return scored[0][2]


def grade_in(query: str, ref: Reference) -> str | None:
    """Which of the reference's grades the query names (e.g. "MS63", "PSA 10", "VG+")."""
    compact = query.upper().replace(" ", "").replace("-", "")
    for grade in sorted(ref.grades, key=len, reverse=True):
        g = grade.upper().replace(" ", "")
        if ref.category == "card" and (f"PSA{g}" in compact):
            return grade
        if ref.category != "card" and g in compact:
            return grade
    return None

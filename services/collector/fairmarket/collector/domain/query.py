"""Marketplace search queries from an attribution: specific, but short enough not to over-filter."""

from __future__ import annotations

import re
from typing import Any

from fairmarket.collector.domain.grades import grade_of


def _join(*parts: Any) -> str:
    return " ".join(str(p).strip() for p in parts if p not in (None, ""))


def build_query(category: str, attribution: Any, title: str | None = None) -> str:
    a = attribution
    if category == "coin":
        year = _join(a.year) + (f"-{a.mintmark}" if a.year and a.mintmark else "")
        # the grade as the shop wrote it, compacted ("MS-63" -> "MS63"): the scale's key would
        # turn NGC's "PF70" into PCGS's "PR70" and miss the NGC listings
        grade = re.sub(r"[\s-]", "", a.grade) if grade_of("coin", a.grade) else a.grade
        return _join(year, a.variety, a.denomination, grade)
    if category == "card":
        return _join(a.name, a.set, a.number, a.grade or a.condition)
    if category == "record":
        return _join(a.artist, a.title, a.catalog_number)
    if category == "product":
        return _join(a.brand, a.name, a.variant)
    return title or ""

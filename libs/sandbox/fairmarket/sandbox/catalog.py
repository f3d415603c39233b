"""The sandbox's reference collectibles, read from its bundled data file."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any


@dataclass(frozen=True)
class Offer:
    """A listing title the sandbox offers, with the eBay category (id, name) it is listed in
    when not the item's own, and its condition id when not "used" (7000: for parts)."""

    title: str
    category: tuple[str, str] | None = None
    condition_id: str | None = None


def _offers(raw: list[Any]) -> tuple[Offer, ...]:
    return tuple(
        Offer(x)
        if isinstance(x, str)
        else Offer(
            x["title"],
            tuple(x["category"]) if x.get("category") else None,  # type: ignore[arg-type]
            x.get("condition_id"),
        )
        for x in raw
    )


@dataclass(frozen=True)
class Reference:
    id: str
    category: str
    keywords: tuple[str, ...]
    titles: tuple[str, ...]
    graders: tuple[str, ...]
    grades: dict[str, float]
    junk: tuple[Offer, ...]
    """Not the item, and far cheaper: accessories with its name, parts, lots, packs, reprints."""
    mismatch: tuple[Offer, ...]
    """Not the item at a like price: other models, capacities, cards, graders, mintmarks."""
    ebay_category: tuple[str, str] | None = None
    """The eBay category (id, name) the item itself is listed in."""
    release: dict[str, Any] | None = None  # records: how Discogs knows the pressing
    tcgplayer: dict[str, Any] | None = None  # cards: TCGplayer's product and raw prices
    store: dict[str, Any] | None = None  # retail products: a store's product and variants


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
            junk=_offers(i.get("junk", [])),
            mismatch=_offers(i.get("mismatch", [])),
            ebay_category=tuple(i["ebay_category"]) if i.get("ebay_category") else None,  # type: ignore[arg-type]
            release=i.get("release"),
            tcgplayer=i.get("tcgplayer"),
            store=i.get("store"),
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


def stable_id(text: str, digits: int = 7) -> int:
    """A marketplace-style numeric id that stays the same across runs."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:6], "big") % 10**digits + 1


class RateWindow:
    """Requests per caller in the last minute: the sandbox answers 429 above the limit."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.calls: dict[str, list[float]] = {}

    def retry_after(self, caller: str, now: float) -> int | None:
        recent = [t for t in self.calls.get(caller, []) if now - t < 60]
        if len(recent) >= self.per_minute:
            self.calls[caller] = recent
            return max(1, int(60 - (now - recent[0])) + 1)
        recent.append(now)
        self.calls[caller] = recent
        return None

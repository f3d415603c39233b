"""Retail products: the model named (as a phrase, by its SKU or loosely with the brand),
no other model, capacity or size, and no accessory, part, service, empty box or lot."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from fairmarket.collector.domain.products import sizes
from fairmarket.collector.domain.relevance.text import fold, has_phrase, tokens

# words that turn a model into another one ("iPhone 12" -> "iPhone 12 mini")
MODEL_MODIFIERS = frozenset(
    {"mini", "pro", "max", "plus", "+", "lite", "ultra", "xl", "fe", "se", "air", "edge"}
)
# before the model's name, these make the listing something for the item
_FOR_WORDS = frozenset({"for", "fits", "fit", "per", "para", "pour", "compatible", "funda"})
_ACCESSORY_WORDS = frozenset(
    {
        "case",
        "cases",
        "cover",
        "covers",
        "protector",
        "protectors",
        "tempered",
        "charger",
        "cable",
        "cord",
        "adapter",
        "remote",
        "controller",
        "gamepad",
        "mount",
        "holder",
        "skin",
        "sticker",
        "strap",
        "dock",
        "film",
        "housing",
        "lcd",
        "digitizer",
        "ejector",
        "stylus",
        "keyboard",
    }
)
# an accessory named after these comes with the item ("with remote", "no remote")
_WITH_WORDS = frozenset(
    {
        "with",
        "w",
        "and",
        "&",
        "no",
        "without",
        "plus",
        "+",
        "incl",
        "includes",
        "including",
        "bonus",
    }
)
_SERVICE_WORDS = ("unlock", "code", "codes", "digital code", "digital copy", "download")
_PARTS_PHRASES = (
    "for parts",
    "parts only",
    "not working",
    "does not work",
    "broken",
    "faulty",
    "icloud locked",
    "activation locked",
    "replacement",
    "empty box",
    "box only",
)
_LOT = re.compile(
    r"\b(?:lot|lots|bundle|bulk|wholesale)\b|\b\d+\s*(?:x|pcs|pc|pack)\b|\bx\s?\d+\b|\b\d+-pack\b"
)
_CAPACITY_RUN = re.compile(
    r"(?<![a-z0-9])((?:\d{1,4}\s*(?:gb|tb)?\s*(?:[/,|&-]|\s)\s*)*\d{1,4})\s*(gb|tb)\b"
)
_CAPACITIES = {16, 32, 64, 128, 256, 512, 1024, 2048}


def capacities(text: str) -> set[str]:
    """Storage capacities named in a text: "64/128/256GB", "64GB 128GB", "1TB"."""
    found = set()
    for run, unit in _CAPACITY_RUN.findall(fold(text)):
        numbers = re.findall(r"\d{1,4}", run)
        for i, n in enumerate(numbers):
            value = int(n) * (1024 if unit == "tb" else 1)
            last = i == len(numbers) - 1
            if last or value in _CAPACITIES:
                found.add(f"{n}{unit.upper()}" if last else f"{n}GB")
    return found


def _phrase_at(toks: list[str], phrase: list[str]) -> list[int]:
    n = len(phrase)
    return [i for i in range(len(toks) - n + 1) if toks[i : i + n] == phrase] if n else []


def product_reason(a: Any, title: str, aspects: Sequence[tuple[str, str]] = ()) -> str | None:
    """The model named (as a phrase, by its SKU, or loosely with the brand), no other model,
    capacity or size, and not an accessory, part, service, empty box or lot."""
    text = fold(title)
    toks = tokens(title)
    name = tokens(a.name)
    brand = tokens(a.brand)
    model = " ".join(filter(None, (a.brand, a.name))) or "the item"
    hits = _phrase_at(toks, name)
    sku = bool(a.sku) and has_phrase(text, fold(a.sku))
    if not hits and not sku and not _names_loosely(toks, name, brand):
        return f"does not name the model ({model})"
    first = hits[0] if hits else len(toks)
    at = next((j for j, t in enumerate(toks[:first]) if t in _FOR_WORDS), None)
    if at is not None:
        return f"an accessory or part for the item ('{' '.join(toks[at : at + 3])}')"
    if "compatible with" in text:
        return "an accessory or part for the item ('compatible with')"
    for i, t in enumerate(toks):
        if t in _ACCESSORY_WORDS and not _WITH_WORDS & set(toks[max(0, i - 2) : i]):
            return f"an accessory, not the item ('{t}')"
    if any(has_phrase(text, w) for w in _SERVICE_WORDS):
        return "a service or digital good, not the item"
    if phrase := next((p for p in _PARTS_PHRASES if has_phrase(text, p)), None):
        return f"parts, broken or an empty box ('{phrase}')"
    if m := _LOT.search(text):
        return f"a lot or bundle ('{m.group(0)}')"
    if other := _other_model(toks, name):
        return f"another model ({other})"
    for key, value in aspects:
        if key.lower() == "model" and (other := _other_model(tokens(value), name)):
            return f"another model ({other})"
    return _capacity_reason(a, title, aspects, name)


_BRAND_NOISE = frozenset({"the", "and", "co", "inc", "ltd", "llc", "gmbh", "company"})


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _names_loosely(toks: list[str], name: list[str], brand: list[str]) -> bool:
    """Without the model as a phrase: the brand, the model's first word and its numbers,
    and three in four of its words ("Onyx Geometry Coffee Beans" names Onyx's "Geometry
    Whole Bean Coffee"; "Pioneer CDJ-2000 Nexus Media Player" no Google Nexus Player)."""
    have = {_stem(t) for t in toks}
    want = [_stem(t) for t in name]
    maker = [_stem(t) for t in brand if t not in _BRAND_NOISE][:1]  # "Onyx" of "Onyx Coffee Lab"
    if not want or not set(maker) <= have:
        return False
    if want[0] not in have or any(t.isdigit() and t not in have for t in want):
        return False
    return sum(t in have for t in want) >= 0.75 * len(want)


def _other_model(toks: list[str], name: list[str]) -> str | None:
    """The model's number (or last word) followed by a modifier the item's name lacks:
    "iPhone 12 mini" or "11 | 11 Pro" against an "iPhone 12" or "iPhone 11"."""
    if not name:
        return None
    last = name[-1]
    for i, t in enumerate(toks[:-1]):
        if t == last and toks[i + 1] in MODEL_MODIFIERS - set(name):
            if toks[max(0, i - len(name) + 1) : i + 1] == name or last.isdigit():
                return f"{t} {toks[i + 1]}"
    return None


def _capacity_reason(
    a: Any, title: str, aspects: Sequence[tuple[str, str]], name: list[str]
) -> str | None:
    weights = sizes(a.variant)
    if weights and (got_sizes := sizes(title)) and not weights & got_sizes:
        size, unit = sorted(got_sizes)[0]
        return f"another size ({size}{unit})"
    wanted = capacities(a.variant or "")
    if not wanted:
        return None
    stripped = re.sub(rf"(?<![a-z0-9]){re.escape(' '.join(name))}(?![a-z0-9])", " ", fold(title))
    got = capacities(stripped)
    if not got:
        got = {c for k, v in aspects if "capacity" in k.lower() for c in capacities(v)}
    if not got:
        return f"capacity not given ({'/'.join(sorted(wanted))} wanted)"
    if len(got) > 1:
        return f"several capacities in one listing ({', '.join(sorted(got, key=_size))})"
    if not got & wanted:
        return f"another capacity ({next(iter(got))})"
    return None


def _size(capacity: str) -> int:
    return int(capacity[:-2]) * (1024 if capacity.endswith("TB") else 1)

"""Is the listing the item? The identifying parts of the attribution must be there and
nothing may make it another item: another model, capacity, card, grade scale or format;
an accessory, part, service, lot, pack, reprint. Pure, no I/O; one plain reason each.

Measured on hand-labelled real captures (`fairmarket collector relevance`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from fairmarket.collector.domain.products import sizes
from fairmarket.common.events import SourceRules
from fairmarket.common.grades import (
    RAW_CONDITIONS,
    ascii_fold,
    card_grader,
    card_grades,
    coin_grade,
    normalize_grade,
)

FOR_PARTS_CONDITION = "7000"
"""eBay's conditionId for "For parts or not working"."""

# a leaf category of accessories, parts, services or lots is not where the item is listed
_OTHER_KIND_CATEGORY = re.compile(
    r"accessor|\bcases?\b|covers|skins|protectors?|cables|adapters|chargers|\bparts\b|"
    r"controllers|attachments|remote|mounts|holders|straps|batter|video games|services|"
    r"manuals|replacement|stickers|decals|\blots\b|packs|boxes|supplies|sleeves|storage",
    re.IGNORECASE,
)

_WORD = re.compile(r"[a-z0-9]+|[+&]")


def fold(text: str | None) -> str:
    """Lowercase ASCII ("Acuña" is "acuna"; an emoji is a space)."""
    return ascii_fold((text or "").lower())


def tokens(text: str | None) -> list[str]:
    return _WORD.findall(fold(text))


def _has(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", text) is not None


def category_reason(categories: Sequence[tuple[str, str]], rules: SourceRules) -> str | None:
    """The marketplace's category says what the listing is: the source's refused and allowed
    categories (by id or name) first, then accessories, parts, services and lots."""
    if not categories:
        return None
    names = {v.lower() for pair in categories for v in pair if v}
    refused = {c.lower() for c in rules.refused_categories}
    if hit := next((c for c in categories if {v.lower() for v in c} & refused), None):
        return f"listed in a category the source refuses ({hit[1] or hit[0]})"
    leaf_id, leaf_name = categories[0]
    allowed = {c.lower() for c in rules.allowed_categories}
    if allowed:
        if names & allowed:
            return None
        return f"listed outside the source's categories ({leaf_name or leaf_id})"
    if leaf_name and _OTHER_KIND_CATEGORY.search(leaf_name):
        return f"an accessory, part, service or lot (listed in {leaf_name})"
    return None


def condition_reason(condition_id: str | None) -> str | None:
    if condition_id == FOR_PARTS_CONDITION:
        return "for parts or not working"
    return None


# --- products ---

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
    sku = bool(a.sku) and _has(text, fold(a.sku))
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
    if any(_has(text, w) for w in _SERVICE_WORDS):
        return "a service or digital good, not the item"
    if phrase := next((p for p in _PARTS_PHRASES if _has(text, p)), None):
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


# --- cards ---

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
        if _has(text, phrase) and not _has(own, phrase):
            return why
    if (m := _CARD_LOT.search(text)) and not _has(own, m.group(0).strip()):
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


# --- coins and records ---

_LOT_ANY = re.compile(
    r"\b(?:lot|lots|bundle|bulk|job lot|roll)\b|^\W*\(\s*[2-9]\s*\)|\b[2-9]\s*x\b(?!\s*(?:lp|cd|7|10|12)\b)"
    r"|\b\d+\s*(?:coins|records|albums|pieces)\b|\b[2-9]-pack\b"
)


def lot_reason(title: str) -> str | None:
    """Several items in one listing ("lot", "roll", "(3)", "2x", "5 coins"); "2 x LP" is
    one double album."""
    if m := _LOT_ANY.search(fold(title)):
        return f"a lot of several ('{m.group(0).strip()}')"
    return None


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


_MEDIA = ("vinyl", "cd", "cassette", "8-track", "file", "reel", "dvd", "box set")
_VINYL_SIZES = ("lp", '12"', '10"', '7"')
# Discogs' format descriptions that make a release another pressing than one without them
_PRESSING = {
    "pic": "a picture disc",
    "s/edition": "a special edition",
    "ltd": "a limited edition",
    "re": "a reissue",
    "rp": "a repress",
    "promo": "a promo",
    "tp": "a test pressing",
    "unofficial": "an unofficial release",
    "num": "a numbered edition",
    # the same in the words of Discogs' search results
    "picture disc": "a picture disc",
    "special edition": "a special edition",
    "limited edition": "a limited edition",
    "reissue": "a reissue",
    "repress": "a repress",
    "test pressing": "a test pressing",
    "unofficial release": "an unofficial release",
    "numbered": "a numbered edition",
}
_COUNT = re.compile(r"^(\d+)\s*x\s*(lp|cd|cassette)$")


def _media(fmt: str) -> set[str]:
    text = fold(fmt)
    found = {m for m in _MEDIA if _has(text, m)}
    if any(size in text for size in _VINYL_SIZES):
        found.add("vinyl")
    counted = _descriptions(fmt)  # "2xCD" names a CD too
    found |= {m for m in ("cd", "cassette") if m in counted}
    return found


def _descriptions(fmt: str) -> dict[str, int | None]:
    """Discogs' format as descriptions, a count for a media ("2xLP" -> {"lp": 2})."""
    out: dict[str, int | None] = {}
    for part in (p.strip().lower() for p in fmt.split(",")):
        if m := _COUNT.match(part):
            out[m.group(2)] = int(m.group(1))
        elif part in ("lp", "cd", "cassette"):
            out[part] = 1
        elif part:
            out[part] = None
    return out


def record_format_reason(a: Any, listing_format: str | None) -> str | None:
    """Discogs' format of the listed release against the attribution's: vinyl is no CD, a
    single LP no 2xLP, and a picture disc, special edition or reissue another pressing."""
    if not a.format or not listing_format:
        return None
    want, got = _media(a.format), _media(listing_format)
    if want and got and not want & got:
        return f"another format ({listing_format})"
    wanted, listed = _descriptions(a.format), _descriptions(listing_format)
    for media in ("lp", "cd", "cassette"):
        if wanted.get(media) and listed.get(media) and wanted[media] != listed[media]:
            return f"another pressing ({listing_format})"
    for name, what in _PRESSING.items():
        if name in listed and name not in wanted:
            return f"another pressing: {what} ({listing_format})"
    return None


def identity_reason(
    category: str,
    attribution: Any,
    title: str,
    *,
    own: str = "",
    aspects: Sequence[tuple[str, str]] = (),
    listing_format: str | None = None,
    listing_grade: str | None = None,
) -> str | None:
    """Why the listing is not the item, by the category's identifying parts; None if it is."""
    if category == "product":
        return product_reason(attribution, title, aspects)
    if category == "card":
        return card_reason(attribution, title, own, listing_grade)
    if category == "coin":
        return lot_reason(title) or coin_reason(attribution, title)
    if category == "record":
        return lot_reason(title) or record_format_reason(attribution, listing_format)
    return None


# --- price as the last line ---

PRICE_FLOOR_SHARE = 0.2
"""A comp under this share of the others' median is far below them."""
PRICE_FLOOR_MIN_AGREE = 4
"""Comps within a factor of two of the median needed before the median is trusted."""
PRICE_FLOOR_REASON = "price far below comparable listings (likely a part or accessory)"


def far_below(totals: Sequence[int]) -> list[bool]:
    """Per comp: is it under a fifth of where the others agree? The centre is the median
    of all the comps, trusted only when several lie within a factor of two of it."""
    priced = sorted(t for t in totals if t > 0)
    if len(priced) < PRICE_FLOOR_MIN_AGREE + 1:
        return [False] * len(totals)
    mid = len(priced) // 2
    median = (priced[mid] + priced[~mid]) / 2
    agree = sum(1 for t in priced if median / 2 <= t <= median * 2)
    if agree < PRICE_FLOOR_MIN_AGREE:
        return [False] * len(totals)
    return [0 < t < median * PRICE_FLOOR_SHARE for t in totals]

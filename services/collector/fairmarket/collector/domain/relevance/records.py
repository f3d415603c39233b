"""Records: Discogs' format of the listed release against the attribution's: another
medium, another count of discs or another pressing is another release."""

from __future__ import annotations

import re
from typing import Any

from fairmarket.collector.domain.relevance.text import fold, has_phrase

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
    found = {m for m in _MEDIA if has_phrase(text, m)}
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

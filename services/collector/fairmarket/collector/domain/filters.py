"""Junk filtering by the source's rules: filtered comps are kept with the reason, never dropped."""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta
from typing import Any

from fairmarket.common.events import SourceRules

DEFAULT_EXCLUDES = {
    "coin": (
        "replica",
        "copy",
        "plated",
        "lot of",
        "roll",
        "fake",
        "counterfeit",
        "novelty",
        "token",
        "restrike",
        "tribute",
    ),
    "card": (
        "proxy",
        "reprint",
        "custom",
        "orica",
        "fake",
        "lot of",
        "you pick",
        "choose your",
        "digital",
        "code card",
        "empty",
        "sleeve only",
    ),
    "record": (
        "cd",
        "cassette",
        "reissue",
        "repress",
        "remaster",
        "8-track",
        "digital",
        "empty sleeve",
        "lot of",
    ),
    "product": ("empty", "lot of", "sample"),
}


_AUTOGRAPH = re.compile(r"(?<![a-z])(auto|autos|autograph|autographed|signed|on-card signature)\b")
_NOT_AUTOGRAPH = re.compile(r"\bnon[- ]?auto\b|\bnot (auto|signed)\b")
# "#/99", " /25", "numbered to 50": a print run; "2009/10" and "9/10" are seasons and grades
_NUMBERED = re.compile(r"#\s?/\s?\d{1,4}\b|(?<![\d/\w])/\s?\d{1,4}\b|\bnumbered\b|\bserial\b")


def card_variant_reason(text: str, variant: str | None) -> str | None:
    """A numbered parallel or an autograph is another card than the base card priced."""
    wanted = (variant or "").lower()
    signed = _AUTOGRAPH.search(text) and not _NOT_AUTOGRAPH.search(text)
    if signed and not _AUTOGRAPH.search(wanted):
        return "an autograph, not the base card"
    if _NUMBERED.search(text) and not _NUMBERED.search(wanted):
        return "a numbered parallel, not the base card"
    return None


@functools.lru_cache(maxsize=4096)
def _phrase(phrase: str) -> re.Pattern[str]:
    """Compiled once per phrase: building and escaping it per listing was most of the filter."""
    return re.compile(rf"(?<![a-z0-9]){re.escape(phrase.lower())}(?![a-z0-9])")


def _has(text: str, phrase: str) -> bool:
    return _phrase(phrase).search(text) is not None


# Discogs' format descriptions abbreviate what the default record excludes spell out
_DISCOGS_FORMAT = {"re": "reissue", "rp": "repress", "rm": "remaster"}
_NEGATED = re.compile(r"(?:\bnot(?: an?)?|\bnon-?|\bno)\s*$")


def item_text(attribution: Any, title: str | None = None) -> str:
    """What the item priced says it is (attribution fields and its own title), lowercased:
    a default exclude it names describes the item itself, not junk among its comps."""
    parts = [v for k, v in attribution if k != "category" and isinstance(v, str)]
    fmt = getattr(attribution, "format", None)
    if fmt:
        parts += [
            _DISCOGS_FORMAT[w] for w in re.findall(r"[a-z]+", fmt.lower()) if w in _DISCOGS_FORMAT
        ]
    if title:
        parts.append(title)
    return " | ".join(parts).lower()


def _item_is(own: str, phrase: str) -> bool:
    """The item's own text names the phrase, not negated ("not a reissue", "non-reissue")."""
    return any(not _NEGATED.search(own[: m.start()]) for m in _phrase(phrase).finditer(own))


def junk_reason(
    *,
    category: str,
    title: str,
    kind: str,
    total_usd_cents: int,
    observed_at: datetime | None,
    rules: SourceRules,
    now: datetime,
    variant: str | None = None,
    item: str = "",
) -> str | None:
    """Why a listing is not a comp for the item, or None when it is.

    `item` is the item's own text (`item_text`): a default exclude it names is kept
    (a CD or a reissue being priced has CDs or reissues as comps); the source's own
    exclude keywords always apply."""
    text = title.lower()
    for phrase in DEFAULT_EXCLUDES.get(category, ()):
        if _has(text, phrase) and not (item and _item_is(item, phrase)):
            return f"excluded keyword '{phrase}'"
    for phrase in rules.exclude_keywords:
        if phrase and _has(text, phrase):
            return f"excluded keyword '{phrase}'"
    if category == "card" and (reason := card_variant_reason(text, variant)):
        return reason
    missing = [p for p in rules.include_keywords if p and not _has(text, p)]
    if missing:
        return f"missing required keyword '{missing[0]}'"
    dollars = total_usd_cents / 100
    if rules.min_price_usd is not None and dollars < float(rules.min_price_usd):
        return f"below the source's minimum price ${rules.min_price_usd}"
    if rules.max_price_usd is not None and dollars > float(rules.max_price_usd):
        return f"above the source's maximum price ${rules.max_price_usd}"
    if rules.sold_only and kind not in ("sold", "auction"):
        return "not a sale (the source takes sold comps only)"
    if observed_at is not None and observed_at < now - timedelta(days=rules.lookback_days):
        return f"older than the {rules.lookback_days}-day lookback"
    if total_usd_cents <= 0:
        return "no price"
    return None

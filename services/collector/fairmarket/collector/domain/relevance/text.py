"""Listing text as the relevance rules compare it: folded to lowercase ASCII, cut into
words, searched for whole phrases, so every category's rule reads titles alike."""

from __future__ import annotations

import re

from fairmarket.common.grades import ascii_fold

_WORD = re.compile(r"[a-z0-9]+|[+&]")


def fold(text: str | None) -> str:
    """Lowercase ASCII ("Acuña" is "acuna"; an emoji is a space)."""
    return ascii_fold((text or "").lower())


def tokens(text: str | None) -> list[str]:
    return _WORD.findall(fold(text))


def has_phrase(text: str, phrase: str) -> bool:
    """The phrase as whole words in folded text ("rp" is in "rp 2018", not in "sharp")."""
    return re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", text) is not None

"""The dispatcher: the identity rule of the attribution's category (a new category adds
its module and one branch here)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fairmarket.collector.domain.relevance.cards import card_reason
from fairmarket.collector.domain.relevance.coins import coin_reason
from fairmarket.collector.domain.relevance.lots import lot_reason
from fairmarket.collector.domain.relevance.products import product_reason
from fairmarket.collector.domain.relevance.records import record_format_reason


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

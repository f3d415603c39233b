"""Is the listing the item? The identifying parts of the attribution must be there and
nothing may make it another item: another model, capacity, card, grade scale or format;
an accessory, part, service, lot, pack, reprint. Pure, no I/O; one plain reason each.

One module per category (products, cards, coins, records), `lots` for what coins and
records share, `marketplace` for the category and condition any listing carries, `price`
for the last line and `identity` dispatching by category; `text` is how they all read a
title. The names below are the package's public face: callers import from here.

Measured on hand-labelled real captures (`fairmarket collector relevance`)."""

from fairmarket.collector.domain.relevance.cards import card_grade_reason, card_reason
from fairmarket.collector.domain.relevance.coins import coin_reason
from fairmarket.collector.domain.relevance.identity import identity_reason
from fairmarket.collector.domain.relevance.lots import lot_reason
from fairmarket.collector.domain.relevance.marketplace import (
    FOR_PARTS_CONDITION,
    category_reason,
    condition_reason,
)
from fairmarket.collector.domain.relevance.price import (
    PRICE_FLOOR_MIN_AGREE,
    PRICE_FLOOR_REASON,
    PRICE_FLOOR_SHARE,
    far_below,
)
from fairmarket.collector.domain.relevance.products import (
    MODEL_MODIFIERS,
    capacities,
    product_reason,
)
from fairmarket.collector.domain.relevance.records import record_format_reason
from fairmarket.collector.domain.relevance.text import fold, has_phrase, tokens

__all__ = [
    "FOR_PARTS_CONDITION",
    "MODEL_MODIFIERS",
    "PRICE_FLOOR_MIN_AGREE",
    "PRICE_FLOOR_REASON",
    "PRICE_FLOOR_SHARE",
    "capacities",
    "card_grade_reason",
    "card_reason",
    "category_reason",
    "coin_reason",
    "condition_reason",
    "far_below",
    "fold",
    "has_phrase",
    "identity_reason",
    "lot_reason",
    "product_reason",
    "record_format_reason",
    "tokens",
]

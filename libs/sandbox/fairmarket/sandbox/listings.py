"""Deterministic listings for a reference item: the same query always gets the same comps.

Prices scatter lognormally around the grade's reference price; a share are junk of
the kinds real searches return (accessories and parts with the item's name in them,
lots, packs, hoped-for grades, reprints) or another item at a like price (another
model or capacity, another card of the player, another grader, year or mintmark),
on purpose: they are what the collector's filters must catch.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from fairmarket.sandbox.catalog import Offer, Reference

FOREIGN = (("GBP", 0.79), ("EUR", 0.93), ("CAD", 1.37))


@dataclass(frozen=True)
class Listing:
    item_id: str
    title: str
    price_usd: float
    currency: str
    price: float
    shipping_usd: float
    buying_option: str  # FIXED_PRICE | AUCTION | BEST_OFFER
    bids: int
    grade: str
    listed_at: datetime
    sold_at: datetime
    seller: str
    feedback: int
    category: tuple[str, str] | None = None
    """eBay's leaf category (id, name)."""
    condition_id: str = "3000"


def _rng(*parts: object) -> random.Random:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def listings_for(
    ref: Reference, grade: str | None, *, seed: int, now: datetime, count: int = 60
) -> list[Listing]:
    rng = _rng(ref.id, grade, seed)
    day = now.replace(hour=12, minute=0, second=0, microsecond=0)
    out = []
    for n in range(count):
        g = grade if grade and rng.random() < 0.75 else rng.choice(list(ref.grades))
        base = ref.grades[g]
        roll = rng.random()
        if roll < 0.1 and ref.junk:
            offer, price = rng.choice(ref.junk), base * rng.uniform(0.01, 0.3)
        elif roll < 0.18 and ref.mismatch:
            offer, price = rng.choice(ref.mismatch), base * rng.uniform(0.6, 1.6)
        else:
            offer, price = Offer(rng.choice(ref.titles)), base * math.exp(rng.gauss(0, 0.13))
        grader = rng.choice(ref.graders)
        title = " ".join(offer.title.format(grade=g, grader=grader).split())
        option = rng.choices(["FIXED_PRICE", "AUCTION", "BEST_OFFER"], [0.55, 0.3, 0.15])[0]
        currency, rate = ("USD", 1.0)
        if rng.random() < 0.15:
            currency, rate = rng.choice(FOREIGN)
        age = timedelta(days=rng.uniform(0, 175), minutes=rng.randint(0, 1439))
        out.append(
            Listing(
                item_id=f"v1|{int.from_bytes(hashlib.sha256(f'{ref.id}{g}{seed}{n}'.encode()).digest()[:5], 'big')}|0",
                title=title,
                price_usd=round(price, 2),
                currency=currency,
                price=round(price * rate, 2),
                shipping_usd=rng.choice([0.0, 0.0, 4.5, 5.25, 8.0, 12.0]),
                buying_option=option,
                bids=rng.randint(1, 25) if option == "AUCTION" else 0,
                grade=g,
                listed_at=day - age,
                sold_at=day - age / 2,
                seller=f"seller{rng.randint(100, 999)}",
                feedback=rng.randint(10, 40_000),
                category=offer.category or ref.ebay_category,
                condition_id=offer.condition_id or "3000",
            )
        )
    return out

"""Which store products are candidates for a retail item: pure, no I/O.

A store's catalogue is read whole (Shopify has no search), so only products that
name the item are kept as comps; the rest of the shop is not evidence about it.
"""

from __future__ import annotations

import re
import unicodedata

from fairmarket.common.events import ProductAttribution

_WORD = re.compile(r"[a-z0-9]+")
_SIZE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(kg|g|ml|l|oz|lb)\b")
# what a brand is called by besides its name: "Onyx Coffee Lab, Inc." is Onyx Coffee Lab
_BRAND_NOISE = {"the", "and", "co", "inc", "ltd", "llc", "gmbh", "company"}


def words(text: str | None) -> set[str]:
    """Lowercase words without accents ("Nescafé" and "Nescafe" are one word)."""
    folded = unicodedata.normalize("NFKD", (text or "").lower())
    return set(_WORD.findall(folded.encode("ascii", "ignore").decode()))


def sizes(text: str | None) -> set[tuple[float, str]]:
    """Sizes in a text, in grams or millilitres ("1kg" and "1000 g" are the same size)."""
    found = set()
    for number, unit in _SIZE.findall((text or "").lower()):
        value = float(number.replace(",", "."))
        scale = {"kg": 1000, "l": 1000, "oz": 28.35, "lb": 453.6}.get(unit, 1)
        found.add((round(value * scale), "ml" if unit in ("ml", "l") else "g"))
    return found


def is_candidate(a: ProductAttribution, text: str, vendor: str | None = None) -> bool:
    """The product's name words are all there; its brand words too when the listing gives a
    vendor or brand (`vendor`; a store without one often leaves its own brand out of the
    title); and a size in the attribution's variant is not contradicted."""
    have = words(text) | words(vendor)
    name = words(a.name)
    if not name or not name <= have:
        return False
    brand = words(a.brand) - _BRAND_NOISE
    if vendor and vendor.strip() and not brand <= have:
        return False
    if a.sku and a.sku.lower() in text.lower():
        return True
    want = sizes(a.variant)
    got = sizes(text)
    return not (want and got and not want & got)

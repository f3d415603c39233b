"""What the marketplace itself says about a listing, whatever the category: its category
tree (the source's refused and allowed categories, accessories, parts, lots) and eBay's
"for parts" condition."""

from __future__ import annotations

import re
from collections.abc import Sequence

from fairmarket.common.events import SourceRules

FOR_PARTS_CONDITION = "7000"
"""eBay's conditionId for "For parts or not working"."""

# a leaf category of accessories, parts, services or lots is not where the item is listed
_OTHER_KIND_CATEGORY = re.compile(
    r"accessor|\bcases?\b|covers|skins|protectors?|cables|adapters|chargers|\bparts\b|"
    r"controllers|attachments|remote|mounts|holders|straps|batter|video games|services|"
    r"manuals|replacement|stickers|decals|\blots\b|packs|boxes|supplies|sleeves|storage",
    re.IGNORECASE,
)


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

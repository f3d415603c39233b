"""Intake's rules for an item's attribution and the event announcing it.

Pure, no I/O: the routes fetch and store, these decide what is accepted and what the
`intake.attributed` event says, so both are unit-tested without a database.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from fairmarket.common.events import Attribution, IntakeAttributed, IntakeAttributedData
from fairmarket.common.inputs import BIGINT_MAX, storable_tree
from fairmarket.intake.domain.photos import photo_url

MAX_PHOTO_REFS = 50  # what the event contract carries; the oldest photos are the ones sent


def storable_attribution(attribution: Attribution) -> Attribution:
    """What every service downstream can store: no NUL in any text (PostgreSQL refuses it)
    and whole numbers within 64 bits (a Discogs release id of 10**30 broke the outbox)."""
    fields = attribution.model_dump(mode="json")
    storable_tree(fields)
    for name, value in fields.items():
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > BIGINT_MAX:
            raise ValueError(f"attribution.{name} is out of range")
    return attribution


def category_mismatch(attribution: Attribution, intake_category: str) -> str | None:
    """Why the attribution cannot describe this intake, or None: an item keeps the category
    it was taken in as, at take-in and at every new attribution alike."""
    if attribution.category != intake_category:
        return f"attribution is for a {attribution.category}, the intake is a {intake_category}"
    return None


@dataclass(frozen=True)
class Revision:
    """An item's attribution revision: its number and the title the item has with it."""

    number: int
    title: str | None


def next_revision(revision: int, title: str | None, new_title: str | None) -> Revision:
    """A new attribution is the item's next revision; a title left out keeps the current."""
    return Revision(revision + 1, new_title if new_title is not None else title)


def attributed(
    item_id: uuid.UUID,
    revision: Revision,
    category: str,
    attribution: Attribution,
    reason: Literal["created", "changed"],
    photo_ids: Sequence[uuid.UUID] = (),
) -> IntakeAttributed:
    """The event of an item's revision; `photo_ids` oldest first, the first 50 sent."""
    return IntakeAttributed(
        producer="intake",
        correlation_id=item_id,
        data=IntakeAttributedData(
            item_id=item_id,
            revision=revision.number,
            category=category,  # type: ignore[arg-type]
            attribution=attribution,
            title=revision.title,
            photos=[photo_url(item_id, p) for p in photo_ids[:MAX_PHOTO_REFS]],
            reason=reason,
        ),
    )

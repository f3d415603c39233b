"""Intake's rules without a database: which attribution fits an intake, what its next
revision is, and what the `intake.attributed` event of a revision says."""

from __future__ import annotations

import uuid

import pytest

from fairmarket.common.events import CardAttribution, CoinAttribution, RecordAttribution
from fairmarket.intake.domain.attribution import (
    MAX_PHOTO_REFS,
    Revision,
    attributed,
    category_mismatch,
    next_revision,
    storable_attribution,
)

pytestmark = pytest.mark.unit

COIN = CoinAttribution(year=1921, mintmark="D", grade="MS63")


def test_an_attribution_of_another_category_is_refused_with_both_named() -> None:
    assert category_mismatch(COIN, "coin") is None
    assert (
        category_mismatch(CardAttribution(name="Charizard"), "coin")
        == "attribution is for a card, the intake is a coin"
    )


def test_the_next_revision_keeps_the_title_unless_a_new_one_is_given() -> None:
    assert next_revision(3, "1921-D Morgan", None) == Revision(4, "1921-D Morgan")
    assert next_revision(3, "1921-D Morgan", "1921-D Morgan, cleaned") == Revision(
        4, "1921-D Morgan, cleaned"
    )
    assert next_revision(1, None, "") == Revision(2, "")  # an empty title is a title


def test_a_new_item_is_announced_as_created_without_photos() -> None:
    item = uuid.uuid4()
    event = attributed(item, Revision(1, "Morgan"), "coin", COIN, "created")
    assert event.correlation_id == item and event.key == str(item)
    assert (event.data.item_id, event.data.revision, event.data.reason) == (item, 1, "created")
    assert (event.data.title, event.data.category, event.data.photos) == ("Morgan", "coin", [])
    assert event.data.attribution == COIN


def test_a_changed_item_carries_its_oldest_photos_up_to_the_contracts_limit() -> None:
    item = uuid.uuid4()
    photos = [uuid.uuid4() for _ in range(MAX_PHOTO_REFS + 7)]
    event = attributed(item, Revision(2, None), "coin", COIN, "changed", photos)
    assert event.data.reason == "changed"
    assert event.data.photos == [f"/v1/intakes/{item}/photos/{p}" for p in photos[:MAX_PHOTO_REFS]]


@pytest.mark.parametrize(
    ("attribution", "reason"),
    [
        (CoinAttribution(grade="MS\x0063"), "NUL"),
        (RecordAttribution(artist="Pink Floyd", discogs_release_id=10**30), "out of range"),
    ],
)
def test_what_no_service_downstream_could_store_is_refused(
    attribution: object, reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        storable_attribution(attribution)  # type: ignore[arg-type]

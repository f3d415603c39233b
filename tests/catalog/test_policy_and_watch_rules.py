"""Pure rules of the catalog: policy prices, approval thresholds, watch conditions and edges."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from fairmarket.catalog.domain.price_policy import (
    PricePolicy,
    ProductPrice,
    needs_approval,
    next_price,
    policy_price,
    price_on_publish,
    round_to_ending,
)
from fairmarket.catalog.domain.watch_rules import Condition, covers, fires, holds


@pytest.mark.parametrize(
    ("cents", "ending", "expected"),
    [
        (17213, 99, 17299),
        (17299, 99, 17299),
        (17300, 99, 17399),
        (1050, 0, 1100),
        (1050, None, 1050),
    ],
)
def test_prices_round_up_to_their_ending(cents: int, ending: int | None, expected: int) -> None:
    assert round_to_ending(cents, ending) == expected


def test_markup_policy_with_floor_and_ceiling() -> None:
    policy = PricePolicy(
        markup=1.25, ending_cents=99, floor_usd_cents=5_000, ceiling_usd_cents=30_000
    )
    assert policy_price(policy, 17_213) == 21_599  # 172.13 x 1.25 = 215.16 -> 215.99
    assert policy_price(policy, 1_000) == 5_000  # the floor
    assert policy_price(policy, 90_000) == 30_000  # the ceiling
    assert policy_price(policy, None) is None  # no valuation, no price


def test_fixed_policy_ignores_the_fmv_and_bad_policies_are_refused() -> None:
    assert policy_price(PricePolicy(kind="fixed", fixed_usd_cents=4_500), 99_999) == 4_500
    with pytest.raises(ValidationError, match="fixed_usd_cents"):
        PricePolicy(kind="fixed")
    with pytest.raises(ValidationError, match="floor"):
        PricePolicy(floor_usd_cents=10, ceiling_usd_cents=5)


def test_approval_only_for_moves_over_the_threshold() -> None:
    assert not needs_approval(None, 10_000, 20)  # a first price needs no approval
    assert not needs_approval(10_000, 11_900, 20)
    assert needs_approval(10_000, 12_100, 20)
    assert needs_approval(10_000, 7_900, 20)


MARKUP = PricePolicy(markup=1.0, ending_cents=None)  # the price is the FMV


@pytest.mark.parametrize(
    ("price_now", "fmv", "expected"),
    [
        (10_000, 11_900, ProductPrice(11_900)),  # within the threshold: at once
        (10_000, 7_900, ProductPrice(10_000, 7_900)),  # past it, down: waits
        (None, 50_000, ProductPrice(50_000)),  # a first price needs no approval
        (10_000, None, ProductPrice(10_000)),  # no FMV: the price stays, nothing waits
        (10_000, 10_000, ProductPrice(10_000)),  # the same price: nothing waits any more
    ],
)
def test_a_products_next_price_follows_its_policy(
    price_now: int | None, fmv: int | None, expected: ProductPrice
) -> None:
    got = next_price(MARKUP, price_now, fmv, 20)
    assert (got.price_usd_cents, got.pending_usd_cents) == (
        expected.price_usd_cents,
        expected.pending_usd_cents,
    )
    assert (got.pending_reason is None) == (expected.pending_usd_cents is None)


def test_a_next_price_past_the_threshold_waits_with_the_reason() -> None:
    waiting = next_price(MARKUP, 10_000, 12_100, 20)
    assert waiting == ProductPrice(
        10_000, 12_100, "policy price moves +21.0%, over the 20% that needs an admin's approval"
    )


def test_an_approved_next_price_is_the_policys_at_once_even_none() -> None:
    assert next_price(MARKUP, 10_000, 30_000, 20, approved=True) == ProductPrice(30_000)
    assert next_price(MARKUP, 10_000, None, 20, approved=True) == ProductPrice(None)
    fixed = PricePolicy(kind="fixed", fixed_usd_cents=4_500)  # whatever the FMV
    assert next_price(fixed, 10_000, None, 20) == ProductPrice(
        10_000, 4_500, "policy price moves -55.0%, over the 20% that needs an admin's approval"
    )


def test_conditions() -> None:
    valuation = {"fmv_usd_cents": 12_000, "previous_fmv_usd_cents": 10_000, "confidence": 7}
    assert holds(Condition(kind="fmv_above", value=11_999), valuation)
    assert not holds(Condition(kind="fmv_below", value=12_000), valuation)
    assert holds(Condition(kind="change_pct", value=19.9), valuation)
    assert not holds(Condition(kind="change_pct", value=20), valuation)
    assert holds(Condition(kind="confidence_above", value=6), valuation)
    assert not holds(Condition(kind="change_pct", value=1), {"fmv_usd_cents": 5})  # no previous


def test_a_watch_fires_on_the_edge_only() -> None:
    states = [False, True, True, True, False, True]
    fired = []
    was = False
    for now in states:
        fired.append(fires(was, now))
        was = now
    assert fired == [False, True, False, False, False, True]


def test_what_a_watch_covers() -> None:
    item = uuid.uuid4()
    one = SimpleNamespace(item_id=item, category=None, query=None)
    record_query = SimpleNamespace(item_id=None, category="record", query="pink floyd")
    kw = {"item_id": item, "title": "Pink Floyd, Dark Side", "attribution": "Harvest"}
    assert covers(one, category="record", **kw)
    assert covers(record_query, category="record", **kw)
    assert not covers(record_query, category="card", **kw)
    assert not covers(
        SimpleNamespace(item_id=None, category=None, query="beatles"), category="record", **kw
    )


def test_a_staff_republish_past_the_threshold_shows_the_last_price_and_the_new_one_waits() -> None:
    held = price_on_publish(10_099, 20_099, 20, approver=False)
    assert (held.price_usd_cents, held.pending_usd_cents) == (10_099, 20_099)
    assert "+99.0%" in held.pending_reason and "approval" in held.pending_reason
    down = price_on_publish(10_099, 5_000, 20, approver=False)
    assert (down.price_usd_cents, down.pending_usd_cents) == (10_099, 5_000)


@pytest.mark.parametrize(
    ("last", "price", "approver"),
    [
        (None, 20_099, False),  # a first publish: no price was shown to move from
        (10_099, 11_999, False),  # within the threshold
        (10_099, 20_099, True),  # an admin's publish is an admin's approval
    ],
)
def test_a_publish_shows_its_price_at_once(last: int | None, price: int, approver: bool) -> None:
    shown = price_on_publish(last, price, 20, approver=approver)
    assert (shown.price_usd_cents, shown.pending_usd_cents, shown.pending_reason) == (
        price,
        None,
        None,
    )

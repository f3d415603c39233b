"""A product's price from its item's FMV: pure, no I/O.

`markup`: FMV x markup, rounded up to a price ending (.99, .95, .00), held
between a floor and a ceiling. `fixed`: the price the shop set, whatever the
FMV does. A policy price that moves more than the approval threshold waits for
an admin instead of reaching the storefront.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_CENTS = 10**15  # $10 trillion: bounded well inside Postgres' bigint, so never a 500


class PricePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["markup", "fixed"] = "markup"
    markup: float = Field(
        default=1.0, gt=0, le=100, allow_inf_nan=False, description="multiplier on the FMV"
    )
    ending_cents: Annotated[int, Field(ge=0, le=99)] | None = Field(
        default=99, description="round up to a price ending in these cents; null: no rounding"
    )
    floor_usd_cents: int | None = Field(default=None, ge=0, le=MAX_CENTS)
    ceiling_usd_cents: int | None = Field(default=None, ge=0, le=MAX_CENTS)
    fixed_usd_cents: int | None = Field(default=None, ge=1, le=MAX_CENTS)
    follow_valuation: bool = Field(
        default=True, description="re-price when the item's valuation changes"
    )

    @model_validator(mode="after")
    def _consistent(self) -> PricePolicy:
        if self.kind == "fixed" and self.fixed_usd_cents is None:
            raise ValueError("a fixed policy needs fixed_usd_cents")
        if (
            self.floor_usd_cents is not None
            and self.ceiling_usd_cents is not None
            and self.floor_usd_cents > self.ceiling_usd_cents
        ):
            raise ValueError("floor_usd_cents is above ceiling_usd_cents")
        return self


def round_to_ending(cents: int, ending: int | None) -> int:
    """The smallest price at or above `cents` that ends in `ending` cents."""
    if ending is None:
        return cents
    dollars = math.floor(cents / 100)
    candidate = dollars * 100 + ending
    return candidate if candidate >= cents else candidate + 100


def policy_price(policy: PricePolicy, fmv_usd_cents: int | None) -> int | None:
    """The product's price, or None when a markup policy has no FMV to work from."""
    if policy.kind == "fixed":
        return policy.fixed_usd_cents
    if fmv_usd_cents is None or fmv_usd_cents <= 0:
        return None
    price = round_to_ending(math.ceil(fmv_usd_cents * policy.markup), policy.ending_cents)
    if policy.floor_usd_cents is not None:
        price = max(price, policy.floor_usd_cents)
    if policy.ceiling_usd_cents is not None:
        price = min(price, policy.ceiling_usd_cents)
    return min(price, MAX_CENTS)  # within the bigint column, whatever the FMV


def needs_approval(current: int | None, proposed: int | None, threshold_pct: float) -> bool:
    """A move larger than the threshold (either way) from a price the storefront shows."""
    if current is None or proposed is None or current == 0:
        return False
    return abs(proposed - current) / current * 100 > threshold_pct


@dataclass(frozen=True)
class ProductPrice:
    """A product's prices as stored: the one the storefront shows (None: no price yet) and
    the one waiting for an admin's approval (None: nothing waits) with the reason."""

    price_usd_cents: int | None
    pending_usd_cents: int | None = None
    pending_reason: str | None = None


def next_price(
    policy: PricePolicy,
    price_now: int | None,
    fmv_usd_cents: int | None,
    threshold_pct: float,
    *,
    approved: bool = False,
) -> ProductPrice:
    """A product's next price for an FMV under its policy. `approved`: the change needs no
    admin (a shop changing its own policy as an admin, or a product not on the storefront):
    the policy's price at once, even none. Otherwise a move past the threshold waits for an
    admin while the current price stays, and no policy price keeps the current one; either
    way a price waiting before is replaced."""
    price = policy_price(policy, fmv_usd_cents)
    if approved:
        return ProductPrice(price)
    if price is None or price == price_now:
        return ProductPrice(price_now)
    if price_now is not None and needs_approval(price_now, price, threshold_pct):
        return _waiting(price_now, price, threshold_pct, "policy price moves {change:+.1f}%")
    return ProductPrice(price)


def _waiting(shown: int, proposed: int, threshold_pct: float, moves: str) -> ProductPrice:
    """`shown` stays; `proposed` waits for an admin, with the reason (`moves` names the move,
    formatted with its `change` in percent)."""
    change = (proposed - shown) / shown * 100
    reason = (
        f"{moves.format(change=change)}, over the {threshold_pct:g}% that needs an admin's approval"
    )
    return ProductPrice(shown, proposed, reason)


def price_on_publish(
    last_published: int | None, price: int, threshold_pct: float, *, approver: bool
) -> ProductPrice:
    """Publishing by staff may not move the storefront's price past the threshold from the
    last price it showed (else unpublish, re-price, publish would bypass approval): the
    storefront shows that last price again and the new one waits. An admin's publish, a
    first publish and a move within the threshold show the price at once (nothing new
    waits: a price waiting before is the caller's to keep)."""
    if (
        approver
        or last_published is None
        or not needs_approval(last_published, price, threshold_pct)
    ):
        return ProductPrice(price)
    return _waiting(
        last_published,
        price,
        threshold_pct,
        "publishing moves the storefront price {change:+.1f}% from the last published price",
    )

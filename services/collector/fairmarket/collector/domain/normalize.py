"""From a marketplace listing to a comparable price point: pure, no I/O."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from fairmarket.collector.domain.filters import item_text, junk_reason
from fairmarket.collector.domain.grades import grade_of
from fairmarket.collector.domain.listing import Listing
from fairmarket.collector.domain.matching import hard_mismatch, match_score
from fairmarket.collector.domain.money import Rates, UnknownCurrency
from fairmarket.collector.domain.price_points import PricePoints
from fairmarket.collector.domain.relevance import (
    PRICE_FLOOR_REASON,
    category_reason,
    condition_reason,
    far_below,
    identity_reason,
)
from fairmarket.common.events import PricePointCollectedData, PricingRequestedData

_NAMESPACE = uuid.UUID("4f1a2b3c-5d6e-4f70-8a9b-0c1d2e3f4a5b")
MIN_MATCH = 0.5


def price_point_id(adapter: str, listing: Listing, item_id: uuid.UUID) -> uuid.UUID:
    """The same sale (or listing) of the same item collected twice gets the same id."""
    moment = (
        listing.observed_at.date().isoformat()
        if listing.kind == "sold" and listing.observed_at
        else ""
    )
    return uuid.uuid5(
        _NAMESPACE, f"{adapter}|{listing.marketplace_id}|{listing.kind}|{moment}|{item_id}"
    )


def to_price_point(
    listing: Listing,
    request: PricingRequestedData,
    *,
    raw_artifact_id: str | None,
    rates: Rates,
    now: datetime,
) -> PricePointCollectedData:
    category = request.category
    try:
        total = rates.total_usd_cents(
            listing.price, listing.currency, listing.shipping, listing.shipping_currency
        )
        reason = None
    except UnknownCurrency as exc:
        total, reason = 0, str(exc)
    observed = listing.observed_at or now
    own = item_text(request.attribution, request.title)
    reason = (
        reason
        or category_reason(listing.categories, request.rules)
        or condition_reason(listing.condition_id)
        or hard_mismatch(category, request.attribution, listing.title)
        or identity_reason(
            category,
            request.attribution,
            listing.title,
            own=own,
            aspects=listing.aspects,
            listing_format=listing.format,
            listing_grade=listing.grade,
        )
    )
    score = 0.0 if reason else match_score(category, request.attribution, listing.title)
    reason = reason or junk_reason(
        category=category,
        title=listing.title,
        kind=listing.kind,
        total_usd_cents=total,
        observed_at=listing.observed_at,
        rules=request.rules,
        now=now,
        variant=getattr(request.attribution, "variant", None),
        item=own,
    )
    if reason is None and score < MIN_MATCH:
        reason = f"weak match with the attribution ({score:.2f})"
    return PricePointCollectedData(
        price_point_id=price_point_id(request.source.adapter, listing, request.item_id),
        item_id=request.item_id,
        revision=request.revision,
        request_id=request.request_id,
        source=request.source,
        kind=listing.kind,
        title=listing.title[:4000],
        url=listing.url,
        price=listing.price,
        currency=listing.currency.upper(),
        shipping=listing.shipping or Decimal("0"),
        total_usd_cents=total,
        observed_at=observed,
        sale_format=listing.sale_format,
        bids=listing.bids,
        quantity=max(listing.quantity, 1),
        condition=listing.condition,
        grade=listing.grade or grade_of(category, listing.title),
        match_score=max(0.0, min(score, 1.0)),
        filtered=reason is not None,
        filtered_reason=reason,
        raw_artifact_id=raw_artifact_id,
    )


def to_price_points(
    listings: Sequence[tuple[Listing, str | None]],
    request: PricingRequestedData,
    *,
    rates: Rates,
    now: datetime,
) -> list[PricePointCollectedData]:
    """Price points of one collection, (listing, raw artifact id) each; then price as the last
    line: a comp far below where the kept others agree is filtered with that reason."""
    points = [
        to_price_point(listing, request, raw_artifact_id=raw, rates=rates, now=now)
        for listing, raw in listings
    ]
    kept = [i for i, p in enumerate(points) if not p.filtered]
    low = far_below([points[i].total_usd_cents for i in kept])
    for i, below in zip(kept, low, strict=True):
        if below:
            points[i] = points[i].model_copy(
                update={"filtered": True, "filtered_reason": PRICE_FLOOR_REASON}
            )
    return points


def request_points(
    listings: Sequence[tuple[Listing, str | None]],
    request: PricingRequestedData,
    *,
    rates: Rates,
    now: datetime,
) -> PricePoints:
    """A request's listings as its price points: one path for a collection and its replay, so
    a replay compares like with like."""
    return PricePoints.of(
        to_price_points(listings, request, rates=rates, now=now),
        request_id=request.request_id,
        run_id=request.run_id,
        item_id=request.item_id,
    )

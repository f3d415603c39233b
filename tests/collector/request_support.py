"""Pricing requests as the catalog sends them, with fresh ids, for the collector's tests:
one builder, so a new field of the contract is filled in one place."""

from __future__ import annotations

import uuid
from typing import Any

from fairmarket.common.events import (
    PricingRequested,
    PricingRequestedData,
    SourceRef,
    SourceRules,
)


def pricing_request(
    attribution: Any,
    adapter: str,
    *,
    source: str | None = None,
    rules: SourceRules | None = None,
    title: str | None = None,
) -> PricingRequestedData:
    """One attribution priced at one source, named after its adapter unless `source` says."""
    return PricingRequestedData(
        request_id=uuid.uuid4(),
        run_id=uuid.uuid4(),
        item_id=uuid.uuid4(),
        revision=1,
        category=attribution.category,
        attribution=attribution,
        title=title,
        source=SourceRef(id=uuid.uuid4(), name=source or adapter, adapter=adapter),
        rules=rules or SourceRules(),
    )


def pricing_requested(
    attribution: Any, adapter: str, *, source: str | None = None
) -> PricingRequested:
    """The pricing.requested event around `pricing_request`, as the collector consumes it."""
    return PricingRequested(
        producer="test", data=pricing_request(attribution, adapter, source=source)
    )

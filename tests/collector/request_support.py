"""Pricing requests as the catalog sends them, with fresh ids, for the collector's tests:
one builder, so a new field of the contract is filled in one place."""

from __future__ import annotations

import uuid
from typing import Any

from fairmarket.common.events import (
    CoinAttribution,
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
    item_id: uuid.UUID | None = None,
    revision: int = 1,
    run_size: int | None = None,
) -> PricingRequestedData:
    """One attribution priced at one source, named after its adapter unless `source` says."""
    return PricingRequestedData(
        request_id=uuid.uuid4(),
        run_id=uuid.uuid4(),
        item_id=item_id or uuid.uuid4(),
        revision=revision,
        run_size=run_size,
        category=attribution.category,
        attribution=attribution,
        title=title,
        source=SourceRef(id=uuid.uuid4(), name=source or adapter, adapter=adapter),
        rules=rules or SourceRules(),
    )


def pricing_requested(attribution: Any, adapter: str, **request: Any) -> PricingRequested:
    """The pricing.requested event around `pricing_request`, as the collector consumes it."""
    return PricingRequested(producer="test", data=pricing_request(attribution, adapter, **request))


MORGAN_1921_D_MS63 = CoinAttribution(
    year=1921, mintmark="D", denomination="Morgan Dollar", grade="MS63"
)


def ebay_at(base_url: str) -> dict[str, str]:
    """A collector's settings for an eBay (the sandbox's) at base_url, with credentials."""
    return {
        "FAIRMARKET_EBAY_BASE_URL": base_url,
        "FAIRMARKET_EBAY_CLIENT_ID": "id",
        "FAIRMARKET_EBAY_CLIENT_SECRET": "secret",
    }


def morgan_on_ebay(**request: Any) -> PricingRequested:
    """The sandbox eBay's best-known item: a 1921-D Morgan dollar in MS63 (60 listings)."""
    return pricing_requested(
        MORGAN_1921_D_MS63, "ebay", rules=SourceRules(max_results=100), **request
    )


async def send(bootstrap: str, *events: PricingRequested) -> None:
    """Publish pricing requests as the catalog's outbox relay would: keyed by item."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(
                event.topic, event.model_dump_json().encode(), key=event.key.encode()
            )
    finally:
        await producer.stop()

"""The sandbox's junk is the real kinds (accessories and parts with the item's name, lots,
packs, hoped-for grades, other models, capacities, cards and graders), and the collector's
filters catch it: the demo shows the problem the real captures have, solved."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from fairmarket.cli.demo import DEMO_ITEMS
from fairmarket.collector.adapters.base import RawExchange
from fairmarket.collector.adapters.ebay import BROWSE, listings_from
from fairmarket.collector.domain.money import Rates
from fairmarket.collector.domain.normalize import to_price_points
from fairmarket.common.events import PricingRequestedData, SourceRef
from fairmarket.sandbox.catalog import Reference, best_match
from fairmarket.sandbox.ebay import _summary
from fairmarket.sandbox.listings import listings_for

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
IPHONE = {
    "category": "product",
    "title": "Apple iPhone 12 128GB",
    "attribution": {"category": "product", "brand": "Apple", "name": "iPhone 12",
                    "variant": "128GB"},
}  # fmt: skip
ITEMS = [item.body for item in DEMO_ITEMS] + [IPHONE]
QUERIES = {
    "coin": "1921-D Morgan Dollar MS63",
    "card": "Charizard Base Set 4/102 PSA 10",
    "record": "Pink Floyd Dark Side of the Moon SHVL 804",
    "product": None,
}


def _query(body: dict[str, Any]) -> str:
    return QUERIES[body["category"]] or body["title"]


def _item_titles(ref: Reference) -> set[str]:
    return {
        " ".join(t.format(grade=g, grader=grader).split())
        for t in ref.titles
        for g in ref.grades
        for grader in ref.graders
    }


@pytest.mark.parametrize("body", ITEMS, ids=[b["title"] for b in ITEMS])
def test_the_sandbox_junk_is_filtered_and_its_items_are_kept(body: dict[str, Any]) -> None:
    ref = best_match(_query(body))
    assert ref is not None and ref.category == body["category"]
    offered = listings_for(ref, None, seed=7, now=NOW, count=400)
    answer = json.dumps({"itemSummaries": [_summary(x, "http://sandbox") for x in offered]})
    exchange = RawExchange("GET", f"http://sandbox{BROWSE}", {}, 200, answer.encode(),
                           "application/json", 1.0, NOW)  # fmt: skip
    listings = listings_from(exchange, 0)
    request = PricingRequestedData(
        request_id=uuid.uuid4(),
        run_id=uuid.uuid4(),
        item_id=uuid.uuid4(),
        revision=1,
        category=body["category"],
        attribution=body["attribution"],
        title=body["title"],
        source=SourceRef(id=uuid.uuid4(), name="sandbox-ebay", adapter="ebay"),
    )
    points = to_price_points([(x, None) for x in listings], request, rates=Rates(), now=NOW)
    item_titles = _item_titles(ref)
    items = [p for p in points if p.title in item_titles]
    junk = [p for p in points if p.title not in item_titles]
    assert len(junk) >= 40, "the sandbox offers junk of several kinds"
    assert len({p.title for p in junk}) >= 3
    assert [(p.title, p.filtered_reason) for p in items if p.filtered] == []
    assert [p.title for p in junk if not p.filtered] == []
    assert all(p.filtered_reason for p in junk)

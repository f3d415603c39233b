"""An admin's day through the APIs alone, against the whole stack (issue 5's "done when").

Register a source, take an item in, price it, read its comps and valuation
history, create and publish a product at a policy price, see it on the
storefront, and receive a signed webhook when its valuation moves.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from test_pipeline import headers, item_when, take_in, valued
from webhook_receiver import Receiver

pytestmark = pytest.mark.e2e

RECORD = {
    "category": "record",
    "title": "Pink Floyd, The Dark Side of the Moon, Harvest SHVL 804, VG+",
    "attribution": {
        "category": "record",
        "artist": "Pink Floyd",
        "title": "The Dark Side of the Moon",
        "catalog_number": "SHVL 804",
        "media_grade": "VG+",
    },
}


async def test_an_admin_prices_publishes_and_is_told_when_the_value_moves(
    stack: Any, receiver: Receiver
) -> None:
    catalog, admin = stack.urls["catalog"], headers(stack.admin_token)
    async with httpx.AsyncClient(timeout=10) as client:
        source = {"name": "discogs", "adapter": "discogs", "categories": ["record"]}
        r = await client.post(f"{catalog}/v1/sources", json=source, headers=admin)
        assert r.status_code in (201, 409), r.text

        watch = {
            "category": "record",
            "query": "pink floyd",
            "condition": {"kind": "fmv_above", "value": 1},
            "url": receiver.url,
        }
        r = await client.post(f"{catalog}/v1/watches", json=watch, headers=admin)
        assert r.status_code == 201, r.text
        receiver.secret = r.json()["secret"]

        item_id = await take_in(client, stack, RECORD)
        item = await item_when(client, stack, item_id, valued())
        assert {run["source"] for run in item["latest_runs"]} >= {"ebay", "discogs"}

        comps = (await client.get(f"{catalog}/v1/items/{item_id}/comps", headers=admin)).json()
        by_source = {(c["source"], c["kind"]) for c in comps}
        assert ("discogs", "guide") in by_source and ("discogs", "sold") not in by_source
        assert all(c["total_usd_cents"] >= 0 for c in comps)
        assert any(c["filtered"] and c["filtered_reason"] for c in comps)
        # what the valuation service did with each comp, as the catalog shows it
        assert all(c["status"] and "kept" not in c["status"] for c in comps)
        assert any(c["status"].startswith("used, weight") for c in comps)
        for c in comps:
            if c["filtered"] and not c["excluded"]:
                assert c["status"] == f"filtered: {c['filtered_reason']}"
        history = await client.get(f"{catalog}/v1/items/{item_id}/valuations", headers=admin)
        assert history.json()[0]["fmv_usd_cents"] == item["valuation"]["fmv_usd_cents"]

        product = {"item_id": item_id, "policy": {"markup": 1.1, "ending_cents": 95}}
        r = await client.post(f"{catalog}/v1/products", json=product, headers=admin)
        assert r.status_code == 201, r.text
        pid, price = r.json()["id"], r.json()["price_usd_cents"]
        assert price is not None and price % 100 == 95
        assert price >= item["valuation"]["fmv_usd_cents"] * 1.1
        r = await client.post(f"{catalog}/v1/products/{pid}/publish", headers=admin)
        assert r.status_code == 200, r.text
        shop = (await client.get(f"{catalog}/v1/storefront/products/{pid}")).json()
        assert shop["price_usd_cents"] == price and shop["title"] == RECORD["title"]

    [hook] = receiver.wait_for(1)  # its signature was verified on arrival
    assert hook["body"]["item"]["id"] == item_id
    assert hook["body"]["valuation"]["fmv_usd_cents"] == item["valuation"]["fmv_usd_cents"]
    assert not receiver.refused

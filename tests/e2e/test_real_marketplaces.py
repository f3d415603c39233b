"""The stack against a shop's own eBay: `fairmarket up`'s marketplace plan points the eBay
adapter at a local server that answers eBay's OAuth and Browse search with the two real
"iphone" captures (../shared/data/ebay, gaurav-arun/ebay-alerts, 2023-07); an "Apple
iPhone 12 128GB" taken in gets those phones as comps and none of the accessories. The
sandbox serves the other marketplaces."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from fairmarket.cli.marketplaces import plan, stack_settings
from fairmarket.cli.stack import Stack, StackConfig

pytestmark = pytest.mark.e2e

LABELS = Path(__file__).resolve().parents[1] / "collector" / "relevance_labels"
CAPTURES = (
    "ebay/browse_item_summary_search_iphone_bestmatch_100items_2023-07.json",
    "ebay/browse_item_summary_search_iphone_sort_price_100items_2023-07.json",
)
TOKEN = "v^1.1#i^1#shop-token"
PHONE = {
    "category": "product",
    "title": "Apple iPhone 12 128GB",
    "attribution": {"category": "product", "brand": "Apple", "name": "iPhone 12",
                    "variant": "128GB"},
}  # fmt: skip


class EbayFromCaptures:
    """eBay's token endpoint, and a Browse search whose two pages are the two captures."""

    def __init__(self, pages: list[dict[str, Any]]) -> None:
        self.pages = pages
        self.searches: list[dict[str, str]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        market = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if urlparse(self.path).path != "/identity/v1/oauth2/token":
                    return self._reply(404, {"errors": [{"message": "no route"}]})
                if not (self.headers.get("Authorization") or "").startswith("Basic "):
                    return self._reply(401, {"error": "invalid_client"})
                self._reply(200, {"access_token": TOKEN, "expires_in": 7200,
                                  "token_type": "Application Access Token"})  # fmt: skip

            def do_GET(self) -> None:
                parsed = urlparse(self.path)
                if parsed.path != "/buy/browse/v1/item_summary/search":
                    return self._reply(404, {"errors": [{"message": "no route"}]})
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._reply(401, {"errors": [{"errorId": 1001}]})
                query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
                market.searches.append(query)
                page = 0 if int(query.get("offset", "0")) == 0 else 1
                body = dict(market.pages[page])
                body.pop("next", None)
                if page == 0:
                    body["next"] = f"{market.url}{parsed.path}?offset=100"
                self._reply(200, body)

        return Handler

    def __enter__(self) -> EbayFromCaptures:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def ebay(shared_data: Path) -> Iterator[EbayFromCaptures]:
    pages = [json.loads((shared_data / c).read_text()) for c in CAPTURES]
    with EbayFromCaptures(pages) as server:
        yield server


def _labels() -> dict[str, bool]:
    out = {}
    for name in ("ebay_browse_iphone_bestmatch.json", "ebay_browse_iphone_sort_price.json"):
        spec = json.loads((LABELS / name).read_text())
        att = next(a for a in spec["attributions"] if a["label"] == PHONE["title"])
        out |= {i: bool(v["item"]) for i, v in att["listings"].items()}
    return out


def test_a_shops_own_ebay_gives_the_phones_and_none_of_the_accessories(
    ebay: EbayFromCaptures, tmp_path: Path
) -> None:
    settings = {
        "FAIRMARKET_EBAY_BASE_URL": ebay.url,
        "FAIRMARKET_EBAY_CLIENT_ID": "shop-client",
        "FAIRMARKET_EBAY_CLIENT_SECRET": "shop-secret",
    }
    chosen = plan({}, settings, sandbox=True)
    assert chosen.describe()[0] == f"ebay       yours: {ebay.url}"
    config = StackConfig.for_tests(tmp_path / "stack", **stack_settings(chosen, sandbox=True))
    labels = _labels()
    with Stack(config) as stack, httpx.Client(timeout=10, headers=stack.auth) as client:
        r = client.post(f"{stack.urls['intake']}/v1/intakes", json=PHONE)
        assert r.status_code == 201, r.text
        item = r.json()["id"]
        deadline, comps = time.monotonic() + 120, []
        while time.monotonic() < deadline and len(comps) < len(labels):
            comps = client.get(f"{stack.urls['catalog']}/v1/items/{item}/comps").json()
            time.sleep(0.5)
    assert ebay.searches and ebay.searches[0]["q"] == "Apple iPhone 12 128GB"
    ids = {re.search(r"/itm/(\d+)", c["url"]).group(1): c for c in comps}  # type: ignore[union-attr]
    assert set(ids) == set(labels)  # every listing of both captures came in, from eBay
    assert {c["source"] for c in comps} == {"ebay"}
    kept = {i for i, c in ids.items() if not c["filtered"]}
    assert kept == {i for i, item in labels.items() if item}
    assert len(kept) == 4
    assert all(ids[i]["filtered_reason"] for i in labels if not labels[i])

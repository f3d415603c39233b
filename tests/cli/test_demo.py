"""The --demo flow against fake intake and catalog APIs (httpx MockTransport)."""

from __future__ import annotations

import io
import json
import uuid
from collections import Counter
from typing import Any

import httpx
from pydantic import TypeAdapter
from rich.console import Console

from fairmarket.cli.demo import DEMO_ITEMS, Demo
from fairmarket.common.events import Attribution

URLS = {"intake": "http://intake.test", "catalog": "http://catalog.test"}


def _comp(total: int, **flags: Any) -> dict[str, Any]:
    return {
        "source": "ebay",
        "kind": "sold",
        "total_usd_cents": total,
        "observed_at": "2026-11-20T10:00:00Z",
        "title": "1921-D Morgan dollar MS63",
        "filtered": False,
        "filtered_reason": None,
        "excluded": False,
        "outlier": False,
        **flags,
    }


COMPS = [
    _comp(123400),
    _comp(998800, outlier=True),
    _comp(1500, filtered=True, filtered_reason="excluded keyword 'replica'"),
    *[_comp(120000 + i) for i in range(12)],
]


class FakeApis:
    """Intake hands out ids; the catalog knows an item after 1 poll, values it after 2."""

    def __init__(self, never_valued: str | None = None, refuse: str | None = None) -> None:
        self.categories: dict[str, str] = {}
        self.polls: Counter[str] = Counter()
        self.never_valued, self.refuse = never_valued, refuse
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == "Bearer t0ken"
        if request.method == "POST" and request.url.path == "/v1/intakes":
            body = json.loads(request.content)
            self.bodies.append(body)
            if body["category"] == self.refuse:
                return httpx.Response(422, json={"detail": "bad attribution"})
            item_id = str(uuid.uuid4())
            self.categories[item_id] = body["category"]
            return httpx.Response(201, json={"id": item_id, "revision": 1})
        if request.url.path.endswith("/comps"):
            return httpx.Response(200, json=COMPS)
        item_id = request.url.path.rsplit("/", 1)[-1]
        self.polls[item_id] += 1
        if self.polls[item_id] == 1:
            return httpx.Response(404, json={"detail": "not found"})
        valued = self.polls[item_id] >= 3 and self.categories[item_id] != self.never_valued
        valuation = {
            "fmv_usd_cents": 123456,
            "fmv_low_usd_cents": 110000,
            "fmv_high_usd_cents": 140000,
            "p10_usd_cents": 100000,
            "p90_usd_cents": 150000,
            "confidence": 7,
            "explanation": "12 comps after removing 2 outliers",
            "version": 1,
        }
        return httpx.Response(200, json={"id": item_id, "valuation": valuation if valued else None})


def run(apis: FakeApis, timeout: float = 10, width: int = 200, **kw: Any) -> tuple[Any, str]:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=False)
    with httpx.Client(transport=httpx.MockTransport(apis)) as client:
        result = Demo(client, URLS, "t0ken").run(console, timeout, interval=0.01, **kw)
    return result, out.getvalue()


def test_demo_items_are_valid_attributions_of_each_category() -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(Attribution)
    categories = [adapter.validate_python(i.body["attribution"]).category for i in DEMO_ITEMS]
    assert categories == ["coin", "card", "record", "product"]


def test_demo_takes_in_four_items_and_shows_their_valuations() -> None:
    apis = FakeApis()
    result, shown = run(apis)
    assert result.complete and not result.message
    assert [b["category"] for b in apis.bodies] == ["coin", "card", "record", "product"]
    assert shown.count("$1,234.56") == 4
    assert "$1,000.00 - $1,500.00" in shown
    assert "$1,100.00 - $1,400.00" in shown  # what it will likely sell for, beside p10-p90
    assert "7/10" in shown
    assert "12 comps after removing 2 outliers" in shown


def test_a_narrow_terminal_gets_each_explanation_whole_under_the_table() -> None:
    result, shown = run(FakeApis(), width=80)
    assert result.complete
    assert max(len(line) for line in shown.splitlines()) <= 80
    assert shown.count("12 comps after removing 2 outliers") == 4  # unbroken, once per item
    assert shown.count("$1,234.56") == 4


def test_demo_shows_each_comp_with_its_source_kind_total_and_why_it_was_set_aside() -> None:
    _, shown = run(FakeApis())
    assert shown.count(": 15 comps") == 4 and shown.count("3 more: GET /v1/items/") == 4
    assert "$9,988.00" in shown and "outlier" in shown
    assert "filtered: excluded keyword 'replica'" in shown
    assert "ebay" in shown and "sold" in shown and "2026-11-20" in shown


def test_demo_times_out_naming_the_items_without_a_valuation() -> None:
    result, shown = run(FakeApis(never_valued="record"), timeout=0.3)
    assert not result.complete
    assert result.message == "no valuation after 0.3s for: record"
    assert "pricing" in shown


def test_demo_reports_a_refused_intake_and_a_service_given_up() -> None:
    result, shown = run(FakeApis(refuse="card"))
    assert "intake answered 422" in result.message
    assert "refused" in shown

    result, _ = run(FakeApis(never_valued="coin"), failures=lambda: {"valuation": "gave up"})
    assert result.message == "demo stopped: gave up"

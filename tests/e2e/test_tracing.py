"""One trace follows an item from the intake request through every Kafka hop to the valuation
and on to the webhook a watch sends.

The stack runs with OTel's console exporter (`OTEL_TRACES_EXPORTER=console`): each
service prints its finished spans into its log, and the intake request's trace
id must show up in the spans of all four services.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from webhook_receiver import Receiver

from fairmarket.cli.stack import Stack, StackConfig

pytestmark = pytest.mark.e2e

COIN = {
    "category": "coin",
    "attribution": {
        "category": "coin",
        "year": 1893,
        "mintmark": "S",
        "denomination": "Morgan Dollar",
        "grade": "VF20",
    },
}
SPAN_START = re.compile(r"^\{\s*$")


def _spans(log: Path) -> Iterator[dict]:
    """The console exporter's multi-line JSON objects among the service's JSON-line logs."""
    block: list[str] = []
    for line in log.read_text(errors="replace").splitlines():
        if not block and SPAN_START.match(line):
            block = [line]
        elif block:
            block.append(line)
            if line == "}":
                try:
                    yield json.loads("\n".join(block))
                except json.JSONDecodeError:
                    pass
                block = []


@pytest.fixture(scope="module")
def traced_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    config = StackConfig.for_tests(
        tmp_path_factory.mktemp("traced"),
        extra_env={
            "OTEL_TRACES_EXPORTER": "console",
            "FAIRMARKET_WEBHOOK_ALLOWED_HOSTS": '["127.0.0.1"]',
        },
    )
    with Stack(config) as stack:
        yield stack


def test_one_trace_spans_the_pipeline_from_intake_to_valuation(
    traced_stack: Stack, receiver: Receiver
) -> None:
    stack = traced_stack
    watch = {
        "category": "coin",
        "condition": {"kind": "confidence_above", "value": 0},
        "url": receiver.url,
    }
    w = httpx.post(
        f"{stack.urls['catalog']}/v1/watches", json=watch, headers=stack.auth, timeout=10
    )
    assert w.status_code == 201, w.text
    receiver.secret = w.json()["secret"]
    r = httpx.post(f"{stack.urls['intake']}/v1/intakes", json=COIN, headers=stack.auth, timeout=10)
    assert r.status_code == 201
    item = r.json()["id"]
    deadline = time.monotonic() + 120
    while True:
        got = httpx.get(f"{stack.urls['catalog']}/v1/items/{item}", headers=stack.auth, timeout=10)
        if got.status_code == 200 and got.json()["valuation"]:
            break
        assert time.monotonic() < deadline, "no valuation"
        time.sleep(0.3)
    intake_traces = {
        s["context"]["trace_id"]
        for s in _spans(stack.log_path("intake"))
        if s["name"].startswith("POST")
    }
    assert intake_traces, "the intake exported no span for the request"
    deadline = time.monotonic() + 30
    while True:  # the catalog exports its valuation.computed span after its commit
        seen = {
            name: {s["context"]["trace_id"] for s in _spans(stack.log_path(name))}
            for name in ("catalog", "collector", "valuation")
        }
        common = intake_traces & seen["catalog"] & seen["collector"] & seen["valuation"]
        if common or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert common, f"no trace spans intake, catalog, collector and valuation: {seen}"
    trace_id = common.pop()
    hops = sorted(
        {
            s["name"]
            for name in ("intake", "catalog", "collector", "valuation")
            for s in _spans(stack.log_path(name))
            if s["context"]["trace_id"] == trace_id
        }
    )
    print(f"\ntrace {trace_id}: {len(hops)} span names: {', '.join(hops)}")
    assert any("valuation.computed" in h for h in hops), hops
    [hook] = receiver.wait_for(1)
    assert int(hook["traceparent"].split("-")[1], 16) == int(trace_id, 16)  # one trace to the hook

"""Every service serves an AsyncAPI document of the topics it really consumes and produces."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from typer.testing import CliRunner

from fairmarket.cli.main import app as cli
from fairmarket.cli.services import SERVICES

pytestmark = pytest.mark.integration

FLOW = {  # the pipeline of DESIGN.md, service by service
    "intake": ({"intake.attributed"}, set()),
    "catalog": (
        {"pricing.requested", "pricepoint.flagged"},
        {"intake.attributed", "pricepoint.collected", "pricing.completed", "valuation.computed"},
    ),
    "collector": ({"pricepoint.collected", "pricing.completed"}, {"pricing.requested"}),
    "valuation": (
        {"valuation.computed"},
        {"pricepoint.collected", "pricing.completed", "pricepoint.flagged"},
    ),
}


@pytest.mark.parametrize("service", SERVICES)
async def test_the_served_document_names_each_topic_with_its_event_schema(
    service: str, service_app: Any
) -> None:
    client = await service_app(service)
    r = await client.get("/asyncapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["asyncapi"].startswith("3.")
    produced = {c["address"] for k, c in doc["channels"].items() if k.endswith(":publish")}
    consumed = {c["address"] for k, c in doc["channels"].items() if k.endswith(":consume")}
    assert (produced, consumed) == FLOW[service]
    topics = importlib.import_module(f"fairmarket.{service}.topics")
    for model in (*topics.CONSUMES, *topics.PRODUCES):
        schema = doc["components"]["schemas"][model.__name__]
        assert {"event_id", "event_type", "occurred_at", "data"} <= set(schema["properties"])
    if service == "collector":  # the consumer's own models, not a generic message
        assert set(consumed) == {m.topic for m in topics.CONSUMES}


def test_the_command_writes_one_document_per_service(tmp_path: Any) -> None:
    result = CliRunner().invoke(cli, ["asyncapi", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{s}.json" for s in SERVICES)

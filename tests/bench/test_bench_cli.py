"""`fairmarket bench` prints figures it measured, under the keys tooling compares on."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from fairmarket.cli.main import app


def _run(*args: str) -> dict:
    result = CliRunner().invoke(app, ["bench", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_bench_valuation_times_the_engine_at_each_size() -> None:
    figures = _run("valuation", "--repeats", "1")
    for key in (
        "valuation_100_ms",
        "valuation_10k_ms",
        "valuation_1m_ms",
        "valuation_10k_columnar_ms",
    ):
        assert figures[key] > 0, key
    assert figures["valuation_1m_ms"] > figures["valuation_100_ms"]
    assert figures["machine"]["cpus"] >= 1 and figures["settings"] == {"repeats": 1}


def test_bench_broker_moves_every_message_through_an_embedded_broker() -> None:
    figures = _run("broker", "--messages", "2000", "--size", "256")
    assert figures["broker_msgs_per_s"] > 0
    assert figures["broker_produce_msgs_per_s"] > figures["broker_msgs_per_s"]
    assert figures["settings"]["messages"] == 2000


def test_bench_pipeline_prices_items_end_to_end_through_a_stack_of_its_own() -> None:
    figures = _run("pipeline", "--items", "12", "--comps", "5", "--rate", "20")
    assert figures["pipeline_price_points_per_s"] > 0
    assert figures["pipeline_valuations_per_s"] > 0
    assert 0 < figures["e2e_p50_ms"] <= figures["e2e_p95_ms"] <= figures["e2e_p99_ms"]
    assert figures["settings"] == {"items": 12, "comps_per_item": 5, "offered_items_per_s": 20.0}

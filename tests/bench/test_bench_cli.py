"""`fairmarket bench` prints figures it measured, under the keys tooling compares on."""

from __future__ import annotations

import json

import pytest
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


@pytest.mark.integration  # starts an embedded broker
def test_bench_broker_moves_every_message_through_an_embedded_broker() -> None:
    figures = _run("broker", "--messages", "2000", "--size", "256")
    assert figures["broker_msgs_per_s"] > 0
    assert figures["broker_produce_msgs_per_s"] > figures["broker_msgs_per_s"]
    assert figures["settings"]["messages"] == 2000


@pytest.mark.e2e  # runs a stack of its own
def test_bench_pipeline_prices_items_end_to_end_through_a_stack_of_its_own() -> None:
    figures = _run("pipeline", "--items", "12", "--comps", "5", "--rate", "20")
    assert figures["pipeline_price_points_per_s"] > 0
    assert figures["pipeline_valuations_per_s"] > 0
    assert figures["pipeline_via_api_price_points_per_s"] > 0
    assert 0 < figures["e2e_p50_ms"] <= figures["e2e_p95_ms"] <= figures["e2e_p99_ms"]
    assert figures["settings"] == {"items": 12, "comps_per_item": 5, "offered_items_per_s": 20.0}


@pytest.mark.e2e  # runs a stack of its own
def test_bench_memory_samples_every_service_over_a_paced_run() -> None:
    figures = _run("memory", "--minutes", "0.25", "--rate", "4", "--comps", "5")
    assert figures["memory_items"] >= 4 and figures["memory_samples"] >= 2
    for name in ("intake", "catalog", "collector", "valuation"):
        assert 20 < figures[f"memory_{name}_start_mb"] < 2000, name
        assert figures[f"memory_{name}_peak_mb"] >= figures[f"memory_{name}_end_mb"] > 20, name
        assert f"memory_{name}_mb_per_10k_items" in figures


def test_memory_slope_is_read_over_the_second_half() -> None:
    from fairmarket.cli.bench.memory import slope_per_10k

    items = [1000, 2000, 3000, 4000, 5000, 6000]
    warming_then_flat = [50.0, 80.0, 90.0, 90.0, 90.0, 90.0]
    assert slope_per_10k(items, warming_then_flat) == pytest.approx(0.0, abs=1e-9)
    leaking = [50.0 + i / 1000 for i in items]  # 1 MB per 1,000 items
    assert slope_per_10k(items, leaking) == pytest.approx(10.0)
    assert slope_per_10k([1000], [50.0]) == 0.0

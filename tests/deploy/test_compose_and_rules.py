"""docker-compose.yml and the Prometheus rules, checked offline (no Docker engine here)."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

# each module registers the metrics its service exports
import fairmarket.catalog.metrics
import fairmarket.collector.metrics
import fairmarket.common.metrics
import fairmarket.valuation.metrics  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
RULES = ROOT / "deploy" / "prometheus"
SERVICES = ("catalog", "intake", "collector", "valuation")


def test_compose_runs_kafka_kraft_postgres_migrations_and_the_services() -> None:
    services = COMPOSE["services"]
    assert {"kafka", "postgres", "migrate", "prometheus", "grafana", *SERVICES} <= set(services)
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert services["migrate"]["command"] == ["fairmarket", "migrate"]
    for name in SERVICES:
        svc = services[name]
        assert svc["build"]["args"]["SERVICE"] == name
        assert svc["user"] != "0" and svc["read_only"]
        assert "/readyz" in " ".join(svc["healthcheck"]["test"])
        assert svc["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert svc["environment"]["FAIRMARKET_JWT_SECRET"].startswith("${FAIRMARKET_JWT_SECRET")


def test_compose_references_only_what_exists() -> None:
    names = set(COMPOSE["services"])
    for name, svc in COMPOSE["services"].items():
        for dep in svc.get("depends_on", {}):
            assert dep in names, f"{name} depends on unknown {dep}"
        for volume in svc.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in COMPOSE["volumes"], f"{name} uses undeclared volume {source}"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "USER 10001" in dockerfile and "HEALTHCHECK" in dockerfile


def _exported() -> set[str]:
    names = set()
    for metric in REGISTRY.collect():
        names.add(metric.name)
        if metric.type == "counter":  # exposed with the suffix, even before a first sample
            names.add(f"{metric.name}_total")
        if metric.type == "histogram":
            names |= {f"{metric.name}_{s}" for s in ("bucket", "sum", "count")}
        for sample in metric.samples:
            names.add(sample.name)
    return names


def test_every_metric_the_rules_query_is_exported() -> None:
    rules = yaml.safe_load((RULES / "rules.yml").read_text())
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    queried = {m for e in exprs for m in re.findall(r"\b(fairmarket_[a-z_]+)\b", e)}
    assert queried, "the rules query no fairmarket metric"
    missing = queried - _exported()
    assert not missing, f"rules query metrics no service exports: {missing}"
    alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
    assert all(r["annotations"].get("runbook") for r in alerts)


def test_every_metric_the_dashboards_query_is_exported() -> None:
    exprs = []
    for path in (ROOT / "deploy" / "grafana" / "dashboards").glob("*.json"):
        board = json.loads(path.read_text())
        exprs += [t["expr"] for p in board["panels"] for t in p["targets"]]
    assert len(exprs) >= 10
    queried = {m for e in exprs for m in re.findall(r"\b(fairmarket_[a-z_]+)\b", e)}
    missing = queried - _exported()
    assert not missing, f"dashboards query metrics no service exports: {missing}"


def test_dashboards_are_what_the_generator_writes() -> None:
    path = ROOT / "deploy/grafana/generate.py"
    spec = importlib.util.spec_from_file_location("grafana_generate", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    for name, text in module.render().items():
        board = ROOT / "deploy" / "grafana" / "dashboards" / name
        assert board.read_text() == text, f"run python deploy/grafana/generate.py ({name})"


@pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool not installed (Debian: prometheus)"
)
def test_rules_pass_promtool_check_and_unit_tests() -> None:
    for args in (["check", "rules", "rules.yml"], ["test", "rules", "rules.test.yml"]):
        done = subprocess.run(["promtool", *args], cwd=RULES, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr

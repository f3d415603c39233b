"""Every metric the alert rules and dashboards query is one that a running service really
serves on its /metrics (read over HTTP from the stack's four services)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from fairmarket.cli.services import SERVICES

pytestmark = pytest.mark.e2e

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SUFFIXES = ("_total", "_bucket", "_sum", "_count", "_created")


def _queried() -> set[str]:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "rules.yml").read_text())
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    for path in (DEPLOY / "grafana" / "dashboards").glob("*.json"):
        board = json.loads(path.read_text())
        exprs += [t["expr"] for p in board["panels"] for t in p["targets"]]
    return {m for e in exprs for m in re.findall(r"\b(fairmarket_[a-z_]+)\b", e)}


def _served(text: str) -> set[str]:
    """Names from the exposition, with the series a family serves under (`# TYPE` lines
    list a labelled family even before its first sample)."""
    names = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            names.add(name)
            if kind == "counter":
                names.add(f"{name}_total")
            if kind == "histogram":
                names |= {f"{name}{s}" for s in SUFFIXES}
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


def test_rules_and_dashboards_query_only_what_the_services_serve(stack: Any) -> None:
    served: set[str] = set()
    for name in SERVICES:
        served |= _served(httpx.get(f"{stack.urls[name]}/metrics", timeout=10).text)
    queried = _queried()
    assert len(queried) > 20
    missing = sorted(queried - served)
    assert not missing, f"queried but served by no service: {missing}"

"""Writes deploy/grafana/dashboards/*.json: python deploy/grafana/generate.py.

Dashboards as code: each is a list of (title, PromQL, unit) panels; a test checks
the JSON is up to date and that every metric queried is one the services export.
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).parent / "dashboards"
DS = {"type": "prometheus", "uid": "prometheus"}

DASHBOARDS: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "pipeline": (
        "fairmarket: pipeline overview",
        [
            (
                "Events handled per second, by topic",
                "sum by (topic) (rate(fairmarket_messages_handled_total[5m]))",
                "ops",
            ),
            (
                "Consumer lag, by topic and group",
                "sum by (topic, group) (fairmarket_consumer_lag_messages)",
                "short",
            ),
            (
                "Handler latency p99, by topic",
                "histogram_quantile(0.99, sum by (le, topic) (rate(fairmarket_handler_duration_seconds_bucket[5m])))",
                "s",
            ),
            (
                "Dead-lettered (15 min), by topic",
                "sum by (topic) (increase(fairmarket_messages_dead_lettered_total[15m]))",
                "short",
            ),
            (
                "Failures per second, by topic and fault",
                "sum by (topic, fault) (rate(fairmarket_messages_failed_total[5m]))",
                "ops",
            ),
            (
                "Outbox unsent rows, by schema",
                "sum by (schema) (fairmarket_outbox_unsent)",
                "short",
            ),
            (
                "Outbox oldest unsent age, by schema",
                "max by (schema) (fairmarket_outbox_oldest_unsent_age_seconds)",
                "s",
            ),
            (
                "Events published per second, by schema",
                "sum by (schema) (rate(fairmarket_outbox_published_total[5m]))",
                "ops",
            ),
        ],
    ),
    "services": (
        "fairmarket: services",
        [
            (
                "HTTP requests per second, by service and route",
                "sum by (service, route) (rate(fairmarket_http_requests_total[5m]))",
                "reqps",
            ),
            (
                "HTTP 5xx ratio, by service",
                'sum by (service) (rate(fairmarket_http_requests_total{status="5xx"}[5m])) / clamp_min(sum by (service) (rate(fairmarket_http_requests_total[5m])), 1e-9)',
                "percentunit",
            ),
            (
                "HTTP latency p99, by service and route",
                "histogram_quantile(0.99, sum by (le, service, route) (rate(fairmarket_http_request_duration_seconds_bucket[5m])))",
                "s",
            ),
            (
                "Messages in flight, by topic and group",
                "sum by (topic, group) (fairmarket_messages_in_flight)",
                "short",
            ),
            (
                "Duplicates ignored per second, by group",
                "sum by (group) (rate(fairmarket_messages_duplicate_total[5m]))",
                "ops",
            ),
        ],
    ),
    "business": (
        "fairmarket: business view",
        [
            (
                "Valuations per hour",
                'sum(increase(fairmarket_messages_handled_total{topic="valuation.computed"}[1h]))',
                "short",
            ),
            (
                "Items taken in per hour",
                'sum(increase(fairmarket_messages_handled_total{topic="intake.attributed"}[1h]))',
                "short",
            ),
            (
                "Comps collected per hour",
                'sum(increase(fairmarket_messages_handled_total{topic="pricepoint.collected"}[1h]))',
                "short",
            ),
            (
                "Pricing runs finished per hour",
                'sum(increase(fairmarket_messages_handled_total{topic="pricing.completed"}[1h]))',
                "short",
            ),
        ],
    ),
}


def dashboard(uid: str, title: str, panels: list[tuple[str, str, str]]) -> dict:
    return {
        "uid": f"fairmarket-{uid}",
        "title": title,
        "tags": ["fairmarket"],
        "schemaVersion": 39,
        "time": {"from": "now-6h", "to": "now"},
        "refresh": "30s",
        "panels": [
            {
                "id": i + 1,
                "type": "timeseries",
                "title": name,
                "datasource": DS,
                "gridPos": {"x": 12 * (i % 2), "y": 8 * (i // 2), "w": 12, "h": 8},
                "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
                "targets": [{"refId": "A", "datasource": DS, "expr": expr}],
            }
            for i, (name, expr, unit) in enumerate(panels)
        ],
    }


def render() -> dict[str, str]:
    return {
        f"{uid}.json": json.dumps(dashboard(uid, title, panels), indent=2) + "\n"
        for uid, (title, panels) in DASHBOARDS.items()
    }


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for name, text in render().items():
        (OUT / name).write_text(text)

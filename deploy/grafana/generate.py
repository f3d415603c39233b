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
            (
                "Pricing run to valuation, p50 and p99",
                "histogram_quantile(0.5, sum by (le) (rate(fairmarket_catalog_attribution_to_valuation_seconds_bucket[15m]))) or histogram_quantile(0.99, sum by (le) (rate(fairmarket_catalog_attribution_to_valuation_seconds_bucket[15m])))",
                "s",
            ),
        ],
    ),
    "collector": (
        "fairmarket: collector and marketplaces",
        [
            (
                "Marketplace requests per second, by source and outcome",
                "sum by (source, outcome) (rate(fairmarket_collector_source_requests_total[5m]))",
                "reqps",
            ),
            (
                "Marketplace latency p95, by source",
                "histogram_quantile(0.95, sum by (le, source) (rate(fairmarket_collector_source_request_duration_seconds_bucket[5m])))",
                "s",
            ),
            (
                "Failed or partial collections per hour, by source and error class",
                "sum by (source, error_class) (increase(fairmarket_collector_source_errors_total[1h]))",
                "short",
            ),
            (
                "Throttled (rate limit or 429) per minute, by source",
                "sum by (source) (rate(fairmarket_collector_source_throttled_total[5m])) * 60",
                "short",
            ),
            (
                "Circuit state by source (0 closed, 1 half open, 2 open)",
                "max by (source) (fairmarket_collector_circuit_state)",
                "short",
            ),
        ],
    ),
    "valuation": (
        "fairmarket: valuation and catalog",
        [
            (
                "Valuations per minute, by outcome",
                "sum by (outcome) (rate(fairmarket_valuation_computations_total[5m])) * 60",
                "short",
            ),
            (
                "Engine time per valuation, p99",
                "histogram_quantile(0.99, sum by (le) (rate(fairmarket_valuation_duration_seconds_bucket[5m])))",
                "s",
            ),
            (
                "Comps per valuation, median",
                "histogram_quantile(0.5, sum by (le) (rate(fairmarket_valuation_comps_bucket[15m])))",
                "short",
            ),
            (
                "Pricing requests finished per hour, by status",
                "sum by (status) (increase(fairmarket_catalog_pricing_requests_completed_total[1h]))",
                "short",
            ),
            (
                "Pricing runs started per hour, by reason",
                "sum by (reason) (increase(fairmarket_catalog_pricing_runs_total[1h]))",
                "short",
            ),
            (
                "Re-pricing overdue (scheduler)",
                "max(fairmarket_catalog_scheduler_oldest_stale_seconds)",
                "s",
            ),
            (
                "Webhook deliveries per hour, by outcome",
                "sum by (outcome) (increase(fairmarket_catalog_webhook_deliveries_total[1h]))",
                "short",
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
            (
                "Confidence of the valuations of the last 24 h (count per score)",
                "sum by (le) (increase(fairmarket_valuation_confidence_bucket[24h]))",
                "short",
            ),
            (
                "Sources' health: comps kept per hour, by source",
                'sum by (source) (increase(fairmarket_collector_comps_total{filtered="false"}[1h]))',
                "short",
            ),
            (
                "Sources' health: share of comps set aside as junk, by source",
                'sum by (source) (rate(fairmarket_collector_comps_total{filtered="true"}[1h])) / clamp_min(sum by (source) (rate(fairmarket_collector_comps_total[1h])), 1e-9)',
                "percentunit",
            ),
        ],
    ),
}


def service_panels(service: str) -> list[tuple[str, str, str]]:
    """The same health panels for each service, filtered to it: one dashboard per service."""
    http = f'service="{service}"'
    group = f'group="fairmarket.{service}"'
    return [
        (
            "HTTP requests per second, by route and status",
            f"sum by (route, status) (rate(fairmarket_http_requests_total{{{http}}}[5m]))",
            "reqps",
        ),
        (
            "HTTP latency p99, by route",
            "histogram_quantile(0.99, sum by (le, route) "
            f"(rate(fairmarket_http_request_duration_seconds_bucket{{{http}}}[5m])))",
            "s",
        ),
        (
            "Events handled per second, by topic",
            f"sum by (topic) (rate(fairmarket_messages_handled_total{{{group}}}[5m]))",
            "ops",
        ),
        (
            "Consumer lag, by topic",
            f"sum by (topic) (fairmarket_consumer_lag_messages{{{group}}})",
            "short",
        ),
        (
            "Handler latency p99, by topic",
            "histogram_quantile(0.99, sum by (le, topic) "
            f"(rate(fairmarket_handler_duration_seconds_bucket{{{group}}}[5m])))",
            "s",
        ),
        (
            "Failed and dead-lettered per minute, by topic",
            f"sum by (topic) (rate(fairmarket_messages_failed_total{{{group}}}[5m])) * 60 "
            f"or sum by (topic) (rate(fairmarket_messages_dead_lettered_total{{{group}}}[5m])) * 60",
            "short",
        ),
        (
            "Outbox unsent rows and oldest age (s)",
            f'sum(fairmarket_outbox_unsent{{schema="{service}"}}) '
            f'or max(fairmarket_outbox_oldest_unsent_age_seconds{{schema="{service}"}})',
            "short",
        ),
    ]


for _service in ("intake", "catalog", "collector", "valuation"):
    DASHBOARDS[f"service-{_service}"] = (
        f"fairmarket: {_service} service",
        service_panels(_service),
    )


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

"""The collector's own Prometheus metrics: how each marketplace is answering, and what it yields.

Labels are the source name (admin-configured, a handful) and small fixed sets.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

SOURCE_REQUESTS = Counter(
    "fairmarket_collector_source_requests_total",
    "HTTP requests made to a marketplace, by outcome "
    "(ok, client_error, throttled, server_error, transport_error).",
    ["source", "outcome"],
)
SOURCE_ERRORS = Counter(
    "fairmarket_collector_source_errors_total",
    "Collections from a source that ended failed or partial, by class of error.",
    ["source", "error_class"],
)
SOURCE_THROTTLED = Counter(
    "fairmarket_collector_source_throttled_total",
    "Times a source's rate limit held a request back, or the marketplace answered 429.",
    ["source"],
)
SOURCE_LATENCY = Histogram(
    "fairmarket_collector_source_request_duration_seconds",
    "Latency of one HTTP request to a marketplace.",
    ["source"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
CIRCUIT_STATE = Gauge(
    "fairmarket_collector_circuit_state",
    "Circuit breaker per source: 0 closed, 1 half open, 2 open.",
    ["source"],
)
COMPS = Counter(
    "fairmarket_collector_comps_total",
    "Price points collected, by source and whether the junk filter set them aside.",
    ["source", "filtered"],
)

CIRCUIT_VALUES = {"closed": 0, "half_open": 1, "open": 2}


def outcome_of(status: int) -> str:
    if status == 429:
        return "throttled"
    if status >= 500:
        return "server_error"
    if status >= 400:
        return "client_error"
    return "ok"

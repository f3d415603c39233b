"""Prometheus metrics every service exports; labels are of bounded cardinality.

A labelled counter has no series until its labels are first used, and
`increase()` over a series that is born at 1 reads 0: the alert on it would miss
the first event of each process. So each known label set is created at 0 as
soon as it is known (`init_consumer_series` when a consumer attaches).
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "fairmarket_http_requests_total",
    "HTTP requests handled, by route template and status class.",
    ["service", "method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "fairmarket_http_request_duration_seconds",
    "HTTP request latency by route template.",
    ["service", "method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
MESSAGES_HANDLED = Counter(
    "fairmarket_messages_handled_total",
    "Kafka records handled and committed (including duplicates skipped by the inbox).",
    ["topic", "group"],
)
MESSAGES_DUPLICATE = Counter(
    "fairmarket_messages_duplicate_total",
    "Kafka records skipped because the inbox had already handled their event id.",
    ["topic", "group"],
)
MESSAGES_FAILED = Counter(
    "fairmarket_messages_failed_total",
    "Handler attempts that raised, by kind of fault (transient or poison).",
    ["topic", "group", "fault"],
)
MESSAGES_DEAD_LETTERED = Counter(
    "fairmarket_messages_dead_lettered_total",
    "Kafka records sent to the dead-letter topic.",
    ["topic", "group"],
)
FAULTS = ("transient", "poison")
HANDLER_LATENCY = Histogram(
    "fairmarket_handler_duration_seconds",
    "Time to handle one batch of records, commit included.",
    ["topic", "group"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
IN_FLIGHT = Gauge(
    "fairmarket_messages_in_flight",
    "Records fetched and being handled.",
    ["topic", "group"],
)
CONSUMER_LAG = Gauge(
    "fairmarket_consumer_lag_messages",
    "Records behind the partition's high watermark, per topic and group.",
    ["topic", "group"],
)
OUTBOX_DEPTH = Gauge("fairmarket_outbox_unsent", "Outbox rows not yet published.", ["schema"])
OUTBOX_OLDEST_AGE = Gauge(
    "fairmarket_outbox_oldest_unsent_age_seconds",
    "Age of the oldest unpublished outbox row.",
    ["schema"],
)
OUTBOX_PUBLISHED = Counter(
    "fairmarket_outbox_published_total", "Outbox rows published to Kafka.", ["schema"]
)


def init_consumer_series(topics: Iterable[str], group: str) -> None:
    """Create a consumer group's counters and gauges at 0 for each of its topics."""
    for topic in topics:
        MESSAGES_HANDLED.labels(topic, group)
        MESSAGES_DUPLICATE.labels(topic, group)
        MESSAGES_DEAD_LETTERED.labels(topic, group)
        for fault in FAULTS:
            MESSAGES_FAILED.labels(topic, group, fault)
        IN_FLIGHT.labels(topic, group)
        CONSUMER_LAG.labels(topic, group)

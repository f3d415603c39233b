"""The catalog's own Prometheus metrics; labels are small fixed sets."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

PRICING_RUNS = Counter(
    "fairmarket_catalog_pricing_runs_total",
    "Pricing runs started, by why (created, changed, reprice, scheduled).",
    ["reason"],
)
PRICING_REQUESTS_COMPLETED = Counter(
    "fairmarket_catalog_pricing_requests_completed_total",
    "Per-source pricing requests the collector finished, by status (ok, partial, failed).",
    ["status"],
)
SCHEDULER_OLDEST_STALE = Gauge(
    "fairmarket_catalog_scheduler_oldest_stale_seconds",
    "How long past its source's cadence the most overdue (item, source) pair has waited, "
    "as of the last scheduler tick: near 0 when the scheduler keeps up.",
)
WEBHOOK_DELIVERIES = Counter(
    "fairmarket_catalog_webhook_deliveries_total",
    "Webhook delivery attempts, by outcome (delivered, retry, dead, refused).",
    ["outcome"],
)
VALUATIONS = Counter(
    "fairmarket_catalog_valuations_total",
    "Valuations the catalog stored (and published to the storefront's prices).",
)
ATTRIBUTION_TO_VALUATION = Histogram(
    "fairmarket_catalog_attribution_to_valuation_seconds",
    "From a pricing run's start to the valuation that followed it: the pipeline's latency.",
    buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600),
)

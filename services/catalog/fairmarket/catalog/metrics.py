"""The catalog's own Prometheus metrics; labels are small fixed sets.

Every label set is created at 0 when the catalog starts (`init_series`), so that
`increase()` in the alert rules sees the first event of a process.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

RUN_REASONS = ("created", "changed", "reprice", "scheduled")
REQUEST_STATUSES = ("ok", "partial", "failed")
WEBHOOK_OUTCOMES = ("delivered", "retry", "dead", "refused")
BAD_ROW_KINDS = ("watch", "product", "comp", "source")

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
PRICING_REQUESTS_STUCK = Gauge(
    "fairmarket_catalog_pricing_requests_stuck",
    "Per-source pricing requests with no pricing.completed for longer than "
    "PRICING_ANSWER_SECONDS, as of the watchdog's last tick: 0 when every request is answered.",
)
PRICING_REQUESTS_RETRIED = Counter(
    "fairmarket_catalog_pricing_requests_rerequested_total",
    "Pricing requests the watchdog sent to the collector again for want of an answer.",
)
PRICING_REQUESTS_GIVEN_UP = Counter(
    "fairmarket_catalog_pricing_requests_given_up_total",
    "Pricing requests the watchdog marked failed after PRICING_TRIES tries without an answer.",
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
BAD_ROWS_SKIPPED = Counter(
    "fairmarket_catalog_bad_rows_skipped_total",
    "Stored rows (watch, product, comp, source) a consumer could not process and skipped, marking "
    "each with the reason, so that the rest of the batch went on: each is a validation gap.",
    ["kind"],
)
ATTRIBUTION_TO_VALUATION = Histogram(
    "fairmarket_catalog_attribution_to_valuation_seconds",
    "From a pricing run's start to the valuation that followed it: the pipeline's latency.",
    buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600),
)


def init_series() -> None:
    """Create every labelled series at 0 (called when the catalog app is created)."""
    for reason in RUN_REASONS:
        PRICING_RUNS.labels(reason)
    for status in REQUEST_STATUSES:
        PRICING_REQUESTS_COMPLETED.labels(status)
    for outcome in WEBHOOK_OUTCOMES:
        WEBHOOK_DELIVERIES.labels(outcome)
    for kind in BAD_ROW_KINDS:
        BAD_ROWS_SKIPPED.labels(kind)

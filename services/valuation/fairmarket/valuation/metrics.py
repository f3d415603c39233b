"""The valuation service's own Prometheus metrics."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

COMPUTATIONS = Counter(
    "fairmarket_valuation_computations_total",
    "Valuations computed, by outcome: emitted (a new version), unchanged (same inputs "
    "hash), no_price (nothing usable: confidence 1), waiting (sources still collecting).",
    ["outcome"],
)
DURATION = Histogram(
    "fairmarket_valuation_duration_seconds",
    "Time to value one item (engine only, comps already loaded).",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1),
)
COMPS = Histogram(
    "fairmarket_valuation_comps",
    "Comps one valuation was computed from (before filters and outliers).",
    buckets=(0, 1, 3, 5, 10, 20, 50, 100, 250, 1000, 10_000),
)
CONFIDENCE = Histogram(
    "fairmarket_valuation_confidence",
    "Confidence (1-10) of the valuations emitted.",
    buckets=(1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
)
BAD_COMPS = Counter(
    "fairmarket_valuation_bad_comps_total",
    "Comps stored filtered out because a field no engine step can use (a date outside "
    "1900-2100) came in: the item's valuation goes on without them.",
)

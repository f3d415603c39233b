"""The topics the collector reads and writes, for its AsyncAPI document."""

from fairmarket.collector.consumers import MODELS
from fairmarket.common.events import PricePointCollected, PricingCompleted

CONSUMES = MODELS
PRODUCES = (PricePointCollected, PricingCompleted)

"""The topics the catalog reads and writes, for its AsyncAPI document."""

from fairmarket.catalog.consumers import MODELS
from fairmarket.common.events import PricePointFlagged, PricingRequested

CONSUMES = MODELS
PRODUCES = (PricingRequested, PricePointFlagged)

"""The topics the valuation service reads and writes, for its AsyncAPI document."""

from fairmarket.common.events import ValuationComputed
from fairmarket.valuation.consumers import MODELS

CONSUMES = MODELS
PRODUCES = (ValuationComputed,)

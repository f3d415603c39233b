"""Converting what was paid or asked into USD cents: the shared table and conversion
(`fairmarket.common.money`) with the collector's configured rates over it."""

from __future__ import annotations

from typing import Any

from fairmarket.common.money import DEFAULT_USD_PER_UNIT, Rates, UnknownCurrency

__all__ = ["DEFAULT_USD_PER_UNIT", "Rates", "UnknownCurrency", "rates_from"]


def rates_from(settings: Any) -> Rates:
    """The built-in table with the configured rates (USD per unit, `USD_RATES`) over it."""
    return Rates().with_rates(settings.usd_rates)

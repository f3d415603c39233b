"""Converting what was paid or asked into USD cents, with a configurable rates table."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

DEFAULT_USD_PER_UNIT = {
    "USD": Decimal("1"),
    "EUR": Decimal("1.08"),
    "GBP": Decimal("1.27"),
    "CAD": Decimal("0.73"),
    "AUD": Decimal("0.66"),
    "JPY": Decimal("0.0067"),
    "CHF": Decimal("1.13"),
}


class UnknownCurrency(ValueError):
    pass


@dataclass(frozen=True)
class Rates:
    usd_per_unit: dict[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_USD_PER_UNIT))

    def to_usd_cents(self, amount: Decimal, currency: str) -> int:
        rate = self.usd_per_unit.get(currency.upper())
        if rate is None:
            raise UnknownCurrency(f"no USD rate for {currency}")
        cents = amount * rate * 100
        return int(cents.quantize(Decimal("1"), rounding=ROUND_HALF_UP))

    def total_usd_cents(
        self, price: Decimal, currency: str, shipping: Decimal | None, shipping_currency: str | None
    ) -> int:
        """Total = price + shipping, each converted from its own currency."""
        total = self.to_usd_cents(price, currency)
        if shipping:
            total += self.to_usd_cents(shipping, shipping_currency or currency)
        return total


def rates_from(settings: Any) -> Rates:
    """The built-in table with the configured rates (USD per unit) over it."""
    table = dict(DEFAULT_USD_PER_UNIT)
    table.update({k.upper(): Decimal(v) for k, v in settings.usd_rates.items()})
    return Rates(table)

"""Converting what was paid or asked into USD cents, with a rates table (pure code, no I/O).

The collector converts every price point with it (its `USD_RATES` setting over the
built-in table) and `fairmarket valuation value` converts a comps CSV with it (its
`--rate CODE=X` over the table), so the same row gives the same total in both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from types import MappingProxyType

DEFAULT_USD_PER_UNIT: Mapping[str, Decimal] = MappingProxyType(
    {
        "USD": Decimal("1"),
        "EUR": Decimal("1.08"),
        "GBP": Decimal("1.27"),
        "CAD": Decimal("0.73"),
        "AUD": Decimal("0.66"),
        "JPY": Decimal("0.0067"),
        "CHF": Decimal("1.13"),
    }
)


class UnknownCurrency(ValueError):
    pass


def usd_rate(value: object) -> Decimal:
    """A rate (USD per unit) as a positive, finite Decimal; ValueError otherwise."""
    try:
        rate = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"rate {value!r} is not a number") from exc
    if not rate.is_finite() or rate <= 0:
        raise ValueError(f"rate {value!r} must be a positive number")
    return rate


@dataclass(frozen=True)
class Rates:
    usd_per_unit: dict[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_USD_PER_UNIT))

    def with_rates(self, overrides: Mapping[str, object]) -> Rates:
        """This table with `overrides` (currency code -> USD per unit) over it."""
        table = dict(self.usd_per_unit)
        table.update({code.strip().upper(): usd_rate(v) for code, v in overrides.items()})
        return Rates(table)

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

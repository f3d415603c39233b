"""The shared rates table and conversion to USD cents (fairmarket.common.money)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fairmarket.common.money import DEFAULT_USD_PER_UNIT, Rates, UnknownCurrency, usd_rate


def test_the_built_in_table_has_the_collectors_currencies() -> None:
    assert {"USD", "EUR", "GBP", "CAD", "AUD", "JPY"} <= set(DEFAULT_USD_PER_UNIT)
    assert DEFAULT_USD_PER_UNIT["USD"] == Decimal("1")
    assert all(isinstance(r, Decimal) and r > 0 for r in DEFAULT_USD_PER_UNIT.values())
    with pytest.raises(TypeError):
        DEFAULT_USD_PER_UNIT["XXX"] = Decimal("1")  # type: ignore[index]


def test_amounts_convert_to_cents_rounding_half_up() -> None:
    rates = Rates()
    assert rates.to_usd_cents(Decimal("12.34"), "USD") == 1234
    assert rates.to_usd_cents(Decimal("100"), "eur") == 10_800
    assert rates.to_usd_cents(Decimal("0.125"), "USD") == 13  # half up, not to even
    assert rates.to_usd_cents(Decimal("0.005"), "USD") == 1
    assert rates.to_usd_cents(Decimal("1000"), "JPY") == 670


def test_a_total_converts_price_and_shipping_each_from_its_currency() -> None:
    rates = Rates()
    assert rates.total_usd_cents(Decimal("100"), "GBP", Decimal("10"), "USD") == 13_700
    assert rates.total_usd_cents(Decimal("100"), "GBP", Decimal("10"), None) == 13_970
    assert rates.total_usd_cents(Decimal("100"), "GBP", None, None) == 12_700
    assert rates.total_usd_cents(Decimal("100"), "GBP", Decimal("0"), "XXX") == 12_700


def test_an_unknown_currency_is_named() -> None:
    with pytest.raises(UnknownCurrency, match="SEK"):
        Rates().to_usd_cents(Decimal("1"), "SEK")
    with pytest.raises(UnknownCurrency, match="SEK"):
        Rates().total_usd_cents(Decimal("1"), "USD", Decimal("1"), "SEK")


def test_overrides_go_over_the_table_and_leave_it_alone() -> None:
    base = Rates()
    rates = base.with_rates({"sek": "0.095", "GBP": Decimal("1.30"), " eur ": 1.1})
    assert rates.to_usd_cents(Decimal("100"), "SEK") == 950
    assert rates.to_usd_cents(Decimal("100"), "GBP") == 13_000
    assert rates.to_usd_cents(Decimal("100"), "EUR") == 11_000
    assert rates.to_usd_cents(Decimal("100"), "CAD") == 7_300
    assert base.usd_per_unit["GBP"] == DEFAULT_USD_PER_UNIT["GBP"] == Decimal("1.27")
    assert "SEK" not in base.usd_per_unit and "SEK" not in DEFAULT_USD_PER_UNIT


@pytest.mark.parametrize("bad", ["abc", "", "0", "-1.2", "NaN", "Infinity"])
def test_a_rate_must_be_a_positive_number(bad: str) -> None:
    with pytest.raises(ValueError):
        usd_rate(bad)
    with pytest.raises(ValueError):
        Rates().with_rates({"GBP": bad})


def test_the_collector_uses_the_shared_table() -> None:
    from types import SimpleNamespace

    from fairmarket.collector.domain import money as collector_money

    assert collector_money.Rates is Rates
    assert collector_money.UnknownCurrency is UnknownCurrency
    assert collector_money.DEFAULT_USD_PER_UNIT is DEFAULT_USD_PER_UNIT
    configured = collector_money.rates_from(SimpleNamespace(usd_rates={"sek": Decimal("0.095")}))
    assert configured.to_usd_cents(Decimal("100"), "SEK") == 950
    assert configured.to_usd_cents(Decimal("100"), "GBP") == 12_700

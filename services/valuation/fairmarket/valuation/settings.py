"""Valuation settings (environment, prefix FAIRMARKET_)."""

from fairmarket.common.settings import CommonSettings


class ValuationSettings(CommonSettings):
    service_name: str = "valuation"
    port: int = 8003

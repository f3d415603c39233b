"""Catalog settings (environment, prefix FAIRMARKET_)."""

from fairmarket.common.settings import CommonSettings


class CatalogSettings(CommonSettings):
    service_name: str = "catalog"
    port: int = 8000

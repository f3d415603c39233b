"""Which adapter serves which source: adding a marketplace touches its module and this map."""

from __future__ import annotations

import httpx

from fairmarket.collector.adapters.base import Adapter
from fairmarket.collector.adapters.ebay import EbayAdapter, EbayConfig
from fairmarket.collector.adapters.http import HttpCaller
from fairmarket.collector.settings import CollectorSettings


def build_adapters(settings: CollectorSettings, client: httpx.AsyncClient) -> dict[str, Adapter]:
    http = HttpCaller(client)
    adapters: dict[str, Adapter] = {}
    if settings.ebay_client_id and settings.ebay_client_secret:
        adapters["ebay"] = EbayAdapter(
            EbayConfig(
                base_url=settings.ebay_base_url.rstrip("/"),
                client_id=settings.ebay_client_id.get_secret_value(),
                client_secret=settings.ebay_client_secret.get_secret_value(),
                insights=settings.ebay_insights,
            ),
            http,
        )
    return adapters

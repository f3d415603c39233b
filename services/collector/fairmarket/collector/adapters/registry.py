"""Which adapter serves which source: adding a marketplace touches its module and this file.

Marketplaces with one API (eBay, Discogs, TCGplayer) are configured once and serve
every source with that adapter; stores are configured per source name.
"""

from __future__ import annotations

from fairmarket.collector.adapters.base import Adapter
from fairmarket.collector.adapters.discogs import DiscogsAdapter, DiscogsConfig
from fairmarket.collector.adapters.ebay import EbayAdapter, EbayConfig
from fairmarket.collector.adapters.shopify import ShopifyAdapter, StoreConfig
from fairmarket.collector.adapters.tcgplayer import TcgplayerAdapter, TcgplayerConfig
from fairmarket.collector.adapters.woocommerce import WooCommerceAdapter
from fairmarket.collector.settings import CollectorSettings
from fairmarket.common.events import SourceRef

STORES: dict[str, type[ShopifyAdapter] | type[WooCommerceAdapter]] = {
    "shopify": ShopifyAdapter,
    "woocommerce": WooCommerceAdapter,
}


class Adapters:
    def __init__(self, by_adapter: dict[str, Adapter], by_source: dict[str, Adapter]) -> None:
        self.by_adapter = by_adapter
        self.by_source = by_source

    def for_source(self, source: SourceRef) -> Adapter | None:
        adapter = self.by_source.get(source.name)
        if adapter is not None and adapter.name == source.adapter:
            return adapter
        return self.by_adapter.get(source.adapter)

    def __contains__(self, name: str) -> bool:
        return name in self.by_adapter or name in self.by_source


def build_adapters(settings: CollectorSettings) -> Adapters:
    by_adapter: dict[str, Adapter] = {}
    if settings.ebay_client_id and settings.ebay_client_secret:
        by_adapter["ebay"] = EbayAdapter(
            EbayConfig(
                base_url=settings.ebay_base_url.rstrip("/"),
                client_id=settings.ebay_client_id.get_secret_value(),
                client_secret=settings.ebay_client_secret.get_secret_value(),
                insights=settings.ebay_insights,
            )
        )
    if settings.discogs_token:
        by_adapter["discogs"] = DiscogsAdapter(
            DiscogsConfig(
                base_url=settings.discogs_base_url.rstrip("/"),
                token=settings.discogs_token.get_secret_value(),
            )
        )
    if settings.tcgplayer_public_key and settings.tcgplayer_private_key:
        by_adapter["tcgplayer"] = TcgplayerAdapter(
            TcgplayerConfig(
                base_url=settings.tcgplayer_base_url.rstrip("/"),
                public_key=settings.tcgplayer_public_key.get_secret_value(),
                private_key=settings.tcgplayer_private_key.get_secret_value(),
            )
        )
    by_source: dict[str, Adapter] = {
        name: STORES[store.adapter](StoreConfig(store.base_url.rstrip("/"), store.currency))
        for name, store in settings.stores.items()
    }
    return Adapters(by_adapter, by_source)

"""The settings that point the services' marketplace adapters at the sandbox marketplace
(used by the stack, and by tests that run a collector against a sandbox of their own)."""

from __future__ import annotations

import json

from fairmarket.cli.stack_config import SANDBOX_STORES


def sandbox_marketplaces(url: str, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every adapter pointed at the sandbox, with credentials the sandbox accepts; none of
    the marketplaces in `skip` (ebay, discogs, tcgplayer, stores: the shop's own)."""
    stores = {
        name: {"adapter": adapter, "base_url": url, "currency": "USD"}
        for name, adapter in SANDBOX_STORES.items()
    }
    env = {
        "FAIRMARKET_EBAY_BASE_URL": url,
        "FAIRMARKET_EBAY_CLIENT_ID": "fairmarket-sandbox",
        "FAIRMARKET_EBAY_CLIENT_SECRET": "fairmarket-sandbox-secret",
        # the sandbox grants the Marketplace Insights scope, as eBay does an approved app:
        # eBay comps are then sales, the basis a shop wants, with Browse asks as the fallback
        "FAIRMARKET_EBAY_INSIGHTS": "true",
        "FAIRMARKET_DISCOGS_BASE_URL": url,
        "FAIRMARKET_DISCOGS_TOKEN": "fairmarket-sandbox-token",
        "FAIRMARKET_TCGPLAYER_BASE_URL": url,
        "FAIRMARKET_TCGPLAYER_PUBLIC_KEY": "fairmarket-sandbox-public",
        "FAIRMARKET_TCGPLAYER_PRIVATE_KEY": "fairmarket-sandbox-private",
        "FAIRMARKET_STORES": json.dumps(stores),
    }
    prefixes = tuple(f"FAIRMARKET_{name.upper()}" for name in skip)
    env = {k: v for k, v in env.items() if not k.startswith(prefixes)}
    if not skip:
        # a local sandbox needs no sparing: the sources' configured limits (eBay's 60 a
        # minute by default) would pace the demo and the tests, not protect a marketplace
        env["FAIRMARKET_SOURCE_RATE_LIMITS"] = "false"
    return env

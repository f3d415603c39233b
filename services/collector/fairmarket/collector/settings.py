"""Collector settings (environment, prefix FAIRMARKET_). Credentials never travel in events.

Every credential can be given as a value (FAIRMARKET_DISCOGS_TOKEN) or as a file
holding it (FAIRMARKET_DISCOGS_TOKEN_FILE, e.g. a mounted Kubernetes secret).
Shopify and WooCommerce stores are named sources: FAIRMARKET_STORES maps a
source's name (as registered in the catalog) to its store URL and currency.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from fairmarket.common.settings import CommonSettings


class StoreEndpoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    adapter: Literal["shopify", "woocommerce"]
    base_url: str = Field(pattern=r"^https?://")
    currency: str = Field(default="USD", min_length=3, max_length=3)
    rate_limit_per_minute: float | None = Field(default=None, gt=0)


_SECRETS = (
    "ebay_client_id",
    "ebay_client_secret",
    "discogs_token",
    "tcgplayer_public_key",
    "tcgplayer_private_key",
)


class CollectorSettings(CommonSettings):
    service_name: str = "collector"
    port: int = 8002
    # each request is a marketplace call paced by the source's limit (Discogs: 60 calls a
    # minute, ~3 a request): a batch must end well inside the broker's 5-minute poll interval
    consumer_batch_size: int = Field(default=50, ge=1, le=10_000)
    ebay_base_url: str = "https://api.ebay.com"
    ebay_client_id: SecretStr | None = None
    ebay_client_secret: SecretStr | None = None
    ebay_client_id_file: Path | None = None
    ebay_client_secret_file: Path | None = None
    ebay_insights: bool = False
    discogs_base_url: str = "https://api.discogs.com"
    discogs_token: SecretStr | None = None
    discogs_token_file: Path | None = None
    tcgplayer_base_url: str = "https://api.tcgplayer.com"
    tcgplayer_public_key: SecretStr | None = None
    tcgplayer_private_key: SecretStr | None = None
    tcgplayer_public_key_file: Path | None = None
    tcgplayer_private_key_file: Path | None = None
    stores: dict[str, StoreEndpoint] = Field(default_factory=dict)
    usd_rates: dict[str, Decimal] = Field(
        default_factory=dict, description="USD per unit of a currency, over the built-in table"
    )
    http_timeout_seconds: float = 10.0
    request_deadline_seconds: float = 60.0
    http_attempts: int = Field(default=3, ge=1, le=10)
    per_host_concurrency: int = Field(default=4, ge=1, le=100)
    source_rate_limits: bool = Field(
        default=True,
        description="apply each source's configured rate limit (the all-in-one stack turns it "
        "off for its local sandbox; the marketplaces' own limits always apply)",
    )
    circuit_failures: int = Field(default=5, ge=1, le=1000)
    circuit_cooldown_seconds: float = Field(default=60.0, gt=0)
    max_body_bytes: int = 6 * 1024 * 1024  # CSV imports: comps_csv bounds a file to 5 MiB

    @model_validator(mode="after")
    def _secret_files(self) -> CollectorSettings:
        for name in _SECRETS:
            path: Path | None = getattr(self, f"{name}_file")
            if path is not None and getattr(self, name) is None:
                try:
                    value = path.read_text().strip()
                except OSError as exc:
                    raise ValueError(f"{name}_file {path} cannot be read: {exc}") from exc
                setattr(self, name, SecretStr(value))
        return self

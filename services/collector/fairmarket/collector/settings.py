"""Collector settings (environment, prefix FAIRMARKET_). Credentials never travel in events."""

from pydantic import SecretStr

from fairmarket.common.settings import CommonSettings


class CollectorSettings(CommonSettings):
    service_name: str = "collector"
    port: int = 8002
    ebay_base_url: str = "https://api.ebay.com"
    ebay_client_id: SecretStr | None = None
    ebay_client_secret: SecretStr | None = None
    ebay_insights: bool = False
    http_timeout_seconds: float = 10.0
    request_deadline_seconds: float = 60.0
    max_body_bytes: int = 6 * 1024 * 1024  # CSV imports: comps_csv bounds a file to 5 MiB

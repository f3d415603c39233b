"""Catalog settings (environment, prefix FAIRMARKET_)."""

from pydantic import Field

from fairmarket.common.settings import CommonSettings


class CatalogSettings(CommonSettings):
    service_name: str = "catalog"
    port: int = 8000
    scheduler_enabled: bool = True
    scheduler_interval_seconds: float = Field(default=60.0, gt=0)
    scheduler_batch: int = Field(default=200, ge=1, le=10_000)
    pricing_answer_seconds: float = Field(
        default=600.0,
        gt=0,
        description="a pricing request with no pricing.completed after this long is sent again",
    )
    pricing_tries: int = Field(
        default=3, ge=1, le=20, description="sends of a request before it is marked failed"
    )
    watchdog_interval_seconds: float = Field(default=30.0, gt=0)
    watchdog_batch: int = Field(default=200, ge=1, le=10_000)
    price_approval_threshold_pct: float = Field(
        default=20.0, ge=0, description="a policy price moving more than this waits for approval"
    )
    webhook_allowed_hosts: list[str] = Field(
        default_factory=list, description="hosts allowed even on private or loopback addresses"
    )
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_max_attempts: int = Field(default=6, ge=1, le=50)
    webhook_backoff_seconds: float = Field(default=5.0, gt=0)
    webhook_disable_after: int = Field(
        default=5, ge=1, description="dead deliveries in a row that disable a watch"
    )
    webhook_poll_seconds: float = Field(default=1.0, gt=0)
    intake_url: str = Field(
        default="http://127.0.0.1:8001", description="the intake's API, which the console calls"
    )

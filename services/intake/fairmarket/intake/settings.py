"""Intake settings (environment, prefix FAIRMARKET_)."""

from pydantic import Field

from fairmarket.common.settings import CommonSettings


class IntakeSettings(CommonSettings):
    service_name: str = "intake"
    port: int = 8001
    photo_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)

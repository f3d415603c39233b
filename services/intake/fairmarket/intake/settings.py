"""Intake settings (environment, prefix FAIRMARKET_)."""

from fairmarket.common.settings import CommonSettings


class IntakeSettings(CommonSettings):
    service_name: str = "intake"
    port: int = 8001

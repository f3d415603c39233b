"""Fail-fast settings shared by every service; each service subclasses with its own fields."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FAIRMARKET_", extra="ignore")

    service_name: str = "fairmarket"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/fairmarket"
    db_pool_size: int = Field(default=10, ge=1, le=200)
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_idempotence: bool = True
    topic_partitions: int = Field(default=12, ge=1, le=1000)
    topic_replication: int = Field(default=1, ge=1, le=5)
    jwt_secret: SecretStr
    jwt_issuer: str = "fairmarket"
    jwt_audience: str = "fairmarket"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)  # 413 above; uploads raise it
    cors_origins: list[str] = Field(default_factory=list)  # closed unless origins are listed
    consumer_batch_size: int = Field(default=500, ge=1, le=10_000)
    consumer_max_attempts: int = Field(default=3, ge=1, le=100)
    outbox_batch_size: int = Field(default=500, ge=1, le=10_000)
    outbox_poll_seconds: float = Field(default=0.5, gt=0, le=60)

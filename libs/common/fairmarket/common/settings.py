"""Fail-fast settings shared by every service; each service subclasses with its own fields.

The JWT signing secret is given as a value (FAIRMARKET_JWT_SECRET) or as a file
holding it (FAIRMARKET_JWT_SECRET_FILE, e.g. a mounted Kubernetes secret); the
value wins when both are set, as for the collector's credentials. A service
without either, or with a file it cannot read or that is empty, stops at start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def read_secret_file(path: Path, name: str) -> str:
    """A mounted secret's value, without the trailing newline such files often end with;
    the errors never quote the file's bytes."""
    try:
        secret = path.read_text().rstrip("\r\n")
    except OSError as exc:
        raise ValueError(f"{name} {path} cannot be read: {exc}") from exc
    except UnicodeDecodeError:  # its message would quote the secret's bytes
        raise ValueError(f"{name} {path} is not UTF-8 text") from None
    if not secret:
        raise ValueError(f"{name} {path} is empty")
    return secret


class CommonSettings(BaseSettings):
    # hide_input_in_errors: a settings error must not print the inputs, which hold secrets
    model_config = SettingsConfigDict(
        env_prefix="FAIRMARKET_", extra="ignore", hide_input_in_errors=True
    )

    service_name: str = "fairmarket"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/fairmarket"
    db_pool_size: int = Field(default=10, ge=1, le=200)
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_idempotence: bool = True
    topic_partitions: int = Field(default=12, ge=1, le=1000)
    topic_replication: int = Field(default=1, ge=1, le=5)
    jwt_secret: SecretStr  # given, or read from jwt_secret_file (see _jwt_secret_file)
    jwt_secret_file: Path | None = None
    jwt_issuer: str = "fairmarket"
    jwt_audience: str = "fairmarket"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)  # 413 above; uploads raise it
    cors_origins: list[str] = Field(default_factory=list)  # closed unless origins are listed
    # slow clients: a request's headers, then its body, must arrive within these (408 after)
    header_timeout_seconds: float = Field(default=10, gt=0, le=600)
    body_timeout_seconds: float = Field(default=60, gt=0, le=3600)
    consumer_batch_size: int = Field(default=500, ge=1, le=10_000)
    consumer_max_attempts: int = Field(default=3, ge=1, le=100)
    outbox_batch_size: int = Field(default=500, ge=1, le=10_000)
    outbox_poll_seconds: float = Field(default=0.5, gt=0, le=60)

    @model_validator(mode="before")
    @classmethod
    def _jwt_secret_file(cls, data: Any) -> Any:
        """Fill jwt_secret from jwt_secret_file when no (non-empty) value is given."""
        if not isinstance(data, dict):
            return data
        value = data.get("jwt_secret")
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if value:
            return data
        path = data.get("jwt_secret_file")
        if not path:
            raise ValueError(
                "no JWT signing secret: set FAIRMARKET_JWT_SECRET or FAIRMARKET_JWT_SECRET_FILE"
            )
        return {**data, "jwt_secret": SecretStr(read_secret_file(Path(path), "jwt_secret_file"))}

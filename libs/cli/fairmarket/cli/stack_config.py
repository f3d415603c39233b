"""What a Stack runs and where: ports, external infrastructure, timeouts, child commands."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from fairmarket.cli.services import DEFAULT_PORTS, SERVICES
from fairmarket.cli.supervisor import RestartPolicy

SANDBOX_STORES = {"sandbox-shopify": "shopify", "sandbox-woocommerce": "woocommerce"}
# What the demo registers in the catalog besides the seeded eBay source: one source per
# adapter the sandbox serves, each for the categories that marketplace prices.
SANDBOX_SOURCES = (
    {"name": "discogs", "adapter": "discogs", "categories": ["record"], "reputation": 0.8},
    {"name": "tcgplayer", "adapter": "tcgplayer", "categories": ["card"], "reputation": 0.8},
    {
        "name": "sandbox-shopify",
        "adapter": "shopify",
        "categories": ["product"],
        "reputation": 0.7,
        "rate_limit_per_minute": 120,
    },
    {
        "name": "sandbox-woocommerce",
        "adapter": "woocommerce",
        "categories": ["product"],
        "reputation": 0.7,
        "rate_limit_per_minute": 120,
    },
)
STACK_PORTS = {**DEFAULT_PORTS, "sandbox": 8010, "broker": 9092}


class Commands:
    """How each child is started; tests subclass it to run stand-ins."""

    def __init__(self, python: str = sys.executable) -> None:
        self.python = python

    def service(self, name: str) -> list[str]:
        return [self.python, "-m", "fairmarket.cli", "service", name]

    def sandbox(self, host: str, port: int) -> list[str]:
        return [self.python, "-m", "fairmarket.sandbox", "--host", host, "--port", str(port)]

    def migrate(self) -> list[str]:
        return [self.python, "-m", "fairmarket.cli", "migrate"]


@dataclass
class StackConfig:
    data_dir: Path = Path(".fairmarket")
    host: str = "127.0.0.1"
    ports: dict[str, int] = field(default_factory=lambda: dict(STACK_PORTS))  # 0: any free
    database_url: str | None = None  # None: the embedded PostgreSQL in <data dir>/postgres
    kafka_bootstrap: str | None = None  # None: a fresh embedded Tansu broker
    kafka_idempotence: bool | None = None  # None: off for Tansu, the services' default otherwise
    # a fresh embedded broker gets the events sent this long before the last stop again
    resend_minutes: float = 5.0
    services: tuple[str, ...] = SERVICES
    sandbox: bool = True
    own_marketplaces: tuple[str, ...] = ()  # served by the shop's settings, not the sandbox
    ready_timeout: float = 90.0
    migrate_timeout: float = 180.0
    stop_grace: float = 10.0
    log_level: str = "INFO"
    extra_env: dict[str, str] = field(default_factory=dict)
    restart_policy: RestartPolicy = field(default_factory=RestartPolicy)
    commands: Commands = field(default_factory=Commands)

    @classmethod
    def for_tests(cls, data_dir: Path, **overrides: object) -> StackConfig:
        """Free ports (other stacks may run on this machine) and a quick restart backoff."""
        quick = RestartPolicy(initial_backoff=0.2, max_backoff=2.0)
        config = cls(data_dir=data_dir, ports=dict.fromkeys(STACK_PORTS, 0), restart_policy=quick)
        return replace(config, **overrides)  # type: ignore[arg-type]

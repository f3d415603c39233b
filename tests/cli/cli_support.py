"""Helpers shared by the CLI tests (importable: pytest puts this folder on sys.path)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import psutil

from fairmarket.cli.stack import Commands
from fairmarket.cli.supervisor import ChildSpec, RestartPolicy

STANDIN = Path(__file__).with_name("standin.py")
QUICK = RestartPolicy(initial_backoff=0.1, max_backoff=0.4, stable_after=5, max_quick_crashes=3)

SpecFactory = Callable[..., ChildSpec]


def standin_argv(*args: str) -> list[str]:
    return [sys.executable, str(STANDIN), *args]


def gone(pids: list[int]) -> bool:
    """True when none of the pids is a live (non-zombie) process."""
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            continue
    return True


class StandinCommands(Commands):
    """Stand-ins for the services (ready only when the database and broker are reachable),
    the sandbox and the migrations (one row per run in the stack's database)."""

    def __init__(self, *service_flags: str, migrate: list[str] | None = None) -> None:
        super().__init__()
        self.service_flags = service_flags
        self.migrate_argv = migrate

    def service(self, name: str) -> list[str]:
        return standin_argv("serve", "--check-infra", *self.service_flags)

    def sandbox(self, host: str, port: int) -> list[str]:
        return standin_argv("serve", "--host", host, "--port", str(port))

    def migrate(self) -> list[str]:
        return self.migrate_argv or standin_argv("migrate")

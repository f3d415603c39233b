"""How the stack starts its children: which ports they listen on, the environment they
inherit, and the supervisor's spec (command, log, readiness probe, restart policy) of the
broker, the sandbox and each service. Pure assembly: nothing here starts a process."""

from __future__ import annotations

import os
from pathlib import Path

from fairmarket.cli.embedded import broker_command
from fairmarket.cli.errors import StackError
from fairmarket.cli.ports import free_port, is_free
from fairmarket.cli.probes import HttpProbe, TcpProbe
from fairmarket.cli.stack_config import StackConfig
from fairmarket.cli.supervisor import ChildSpec, RestartPolicy

# Prompt, plain-text logs: unbuffered output and typer's standard tracebacks (not boxes).
CHILD_ENV = {"PYTHONUNBUFFERED": "1", "TYPER_STANDARD_TRACEBACK": "1"}
BROKER_NOT_RESTARTED = (
    "the embedded broker keeps topics in memory: restart the whole stack "
    "(fairmarket up re-sends the recent events)"
)


def choose_ports(config: StackConfig, ports: dict[str, int]) -> dict[str, int]:
    """Every child's port: the configured one when it is free, a free one for 0; a
    configured port in use is an error naming the flag that changes it."""
    chosen = dict(ports)
    wanted = list(config.services)
    wanted += ["sandbox"] if config.sandbox else []
    wanted += ["broker"] if config.kafka_bootstrap is None else []
    taken = {p for p in chosen.values() if p}
    for name in wanted:
        port = chosen.get(name) or 0
        if port == 0:
            port = free_port(config.host, exclude=taken)
            taken.add(port)
        elif not is_free(port, config.host):
            raise StackError(
                f"port {port} for {name} is in use (another stack or program); "
                f"choose another one (fairmarket up --{name}-port)"
            )
        chosen[name] = port
    return chosen


def child_env(
    config: StackConfig, stack_env: dict[str, str] | None, port: int | None = None
) -> dict[str, str]:
    """Ours over the inherited environment: the stack's settings (`stack_env`), or only the
    log level for a child that needs none of them (the sandbox)."""
    env = {**os.environ, **CHILD_ENV}
    env |= stack_env if stack_env is not None else {"FAIRMARKET_LOG_LEVEL": config.log_level}
    if port is not None:
        env |= {"FAIRMARKET_HOST": config.host, "FAIRMARKET_PORT": str(port)}
    return env


def broker_spec(host: str, port: int, log_path: Path) -> ChildSpec:
    """The embedded broker keeps topics in memory, so a crash is not healed by a restart."""
    return ChildSpec(
        "broker",
        broker_command(port, host),
        log_path,
        probe=TcpProbe(host, port),
        policy=RestartPolicy(restart=False, why_not=BROKER_NOT_RESTARTED),
    )


def sandbox_spec(config: StackConfig, port: int, url: str, log_path: Path) -> ChildSpec:
    return ChildSpec(
        "sandbox",
        config.commands.sandbox(config.host, port),
        log_path,
        env=child_env(config, None),
        probe=HttpProbe(f"{url}/healthz"),
        policy=config.restart_policy,
    )


def service_spec(
    config: StackConfig, name: str, url: str, log_path: Path, env: dict[str, str]
) -> ChildSpec:
    """A service is ready when its /readyz says its database and broker answer."""
    return ChildSpec(
        name,
        config.commands.service(name),
        log_path,
        env=env,
        probe=HttpProbe(f"{url}/readyz"),
        policy=config.restart_policy,
    )

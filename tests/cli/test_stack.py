"""The whole Stack, with the real embedded PostgreSQL and broker and stand-in services."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest
from cli_support import StandinCommands, gone, standin_argv

from fairmarket.cli.errors import StackError
from fairmarket.cli.ports import is_free
from fairmarket.cli.stack import Stack, StackConfig
from fairmarket.common.auth import Role, verify_token

pytestmark = pytest.mark.integration

SERVICES = ("intake", "catalog", "collector", "valuation")


def child_pids(stack: Stack) -> list[int]:
    sup = stack.supervisor
    assert sup is not None
    return [p for n in sup.names if (p := sup.process(n).pid) is not None]


async def migration_runs(stack: Stack) -> int:
    assert stack.postgres is not None
    conn = await asyncpg.connect(stack.postgres.dsn)
    try:
        return await conn.fetchval("SELECT count(*) FROM standin_migrations")
    finally:
        await conn.close()


def test_stack_starts_heals_and_stops_leaving_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    stack = Stack(StackConfig.for_tests(data, commands=StandinCommands()))
    with stack:
        assert set(stack.urls) == {*SERVICES, "sandbox"}
        for name, url in stack.urls.items():
            path = "/healthz" if name == "sandbox" else "/readyz"  # stand-ins check db + broker
            assert httpx.get(url + path).status_code == 200, name

        secret = (data / "jwt.secret").read_text().strip()
        assert verify_token(stack.admin_token, secret).role is Role.admin
        assert (data / "admin.token").read_text().strip() == stack.admin_token
        for private in ("jwt.secret", "admin.token"):
            assert (data / private).stat().st_mode & 0o777 == 0o600
        assert stack.env["FAIRMARKET_KAFKA_IDEMPOTENCE"] == "false"
        assert stack.env["FAIRMARKET_EBAY_BASE_URL"] == stack.urls["sandbox"]
        assert stack.env["FAIRMARKET_DATABASE_URL"].startswith("postgresql+asyncpg://postgres@/")
        for name in (*SERVICES, "sandbox", "broker", "migrate"):
            assert (data / "logs" / f"{name}.log").exists(), name

        old = stack.supervisor.process("intake").pid  # type: ignore[union-attr]
        stack.kill("intake", restart=True)
        stack.wait_ready(["intake"], timeout=20)
        assert stack.supervisor.process("intake").pid != old  # type: ignore[union-attr]
        assert any(e.kind == "restarting" for e in stack.supervisor.events)  # type: ignore[union-attr]

        pids = [*child_pids(stack), stack.postgres.pid]  # type: ignore[union-attr]
        ports = [stack.ports[n] for n in (*SERVICES, "sandbox", "broker")]
    assert gone(pids)
    assert all(is_free(p) for p in ports)


async def test_restart_keeps_secret_and_data_and_one_stack_per_dir(tmp_path: Path) -> None:
    config = StackConfig.for_tests(
        tmp_path / "data", services=(), sandbox=False, commands=StandinCommands()
    )
    with Stack(config) as first:
        secret = first.jwt_secret
        assert await migration_runs(first) == 1
        with pytest.raises(StackError, match="another fairmarket stack"):
            Stack(config).start()
        assert first.postgres is not None and first.postgres.running  # untouched by the refusal
    with Stack(config) as second:
        assert second.jwt_secret == secret
        assert await migration_runs(second) == 2  # the first run's row survived


async def test_restart_postgres_keeps_its_socket_and_data(tmp_path: Path) -> None:
    config = StackConfig.for_tests(
        tmp_path / "data", services=(), sandbox=False, commands=StandinCommands()
    )
    with Stack(config) as stack:
        assert stack.postgres is not None
        before, url = stack.postgres.pid, stack.database_url
        stack.restart_postgres()
        assert stack.postgres.pid != before and stack.database_url == url
        assert await migration_runs(stack) == 1
        await stack.wait_ready_async(timeout=5)  # the async form, for async tests


def test_a_taken_port_is_named_and_nothing_is_started(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = StackConfig.for_tests(tmp_path / "data", commands=StandinCommands())
        config.ports["catalog"] = port
        with pytest.raises(StackError, match=rf"port {port} for catalog is in use"):
            Stack(config).start()
    assert not (tmp_path / "data" / "postgres").exists()


def test_failed_migrations_are_reported_and_everything_stopped(tmp_path: Path) -> None:
    failing = [sys.executable, "-c", "import sys; print('no such schema'); sys.exit(2)"]
    stack = Stack(
        StackConfig.for_tests(tmp_path / "data", commands=StandinCommands(migrate=failing))
    )
    with pytest.raises(StackError, match=r"migrations failed \(exit code 2\)[\s\S]*no such schema"):
        stack.start()
    assert stack.supervisor is not None
    assert gone(child_pids(stack))
    assert not any(
        p.info["name"] == "postgres" and str(tmp_path) in " ".join(p.info["cmdline"] or [])
        for p in psutil.process_iter(["name", "cmdline"])
    )


def test_leftovers_of_a_hard_killed_stack_are_cleaned_up(tmp_path: Path) -> None:
    data = tmp_path / "data"
    script = (
        "import sys; from cli_support import StandinCommands\n"
        "from fairmarket.cli.stack import Stack, StackConfig\n"
        f"s = Stack(StackConfig.for_tests({str(data)!r}, commands=StandinCommands())).start()\n"
        "print(' '.join(str(p) for p in [s.postgres.pid] + [s.supervisor.process(n).pid "
        "for n in s.supervisor.names]), flush=True)\n"
        "sys.stdin.read()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    owner = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert owner.stdout is not None
    postgres, *children = [int(p) for p in owner.stdout.readline().split()]
    owner.send_signal(signal.SIGKILL)  # no cleanup at all: its children live on
    owner.wait()
    assert not gone(children)

    with Stack(StackConfig.for_tests(data, commands=StandinCommands())) as stack:
        assert gone(children)
        assert stack.postgres is not None and stack.postgres.pid == postgres  # adopted
        assert httpx.get(stack.urls["catalog"] + "/readyz").status_code == 200
    assert gone([postgres])


def test_standin_port_env_reaches_each_service(tmp_path: Path) -> None:
    """Each service gets its own FAIRMARKET_PORT, the sandbox its --port."""
    config = StackConfig.for_tests(tmp_path / "data", commands=StandinCommands())
    with Stack(config) as stack:
        sup = stack.supervisor
        assert sup is not None
        for name in SERVICES:
            proc = sup.process(name)
            assert proc.env is not None
            assert proc.env["FAIRMARKET_PORT"] == str(stack.ports[name])
        assert sup.process("sandbox").argv == standin_argv(
            "serve", "--host", "127.0.0.1", "--port", str(stack.ports["sandbox"])
        )
        # the sandbox is a stranger to the stack: neither its database nor its JWT secret
        sandbox_env = sup.process("sandbox").env or {}
        assert stack.database_url not in sandbox_env.values()
        assert stack.jwt_secret not in sandbox_env.values()
        assert (sup.process("catalog").env or {})["FAIRMARKET_JWT_SECRET"] == stack.jwt_secret
        assert sandbox_env["PYTHONUNBUFFERED"] == "1"
        began = time.monotonic()
    assert time.monotonic() - began < 10  # stand-ins stop on SIGTERM, no grace period spent

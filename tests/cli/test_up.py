"""`fairmarket up` in the foreground: its output, and Ctrl-C / SIGTERM stopping everything."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import gone

from fairmarket.cli.ports import free_port, is_free
from fairmarket.cli.services import SERVICES
from fairmarket.cli.stack import STACK_PORTS

pytestmark = pytest.mark.integration

HERE = Path(__file__).parent
SERVE_WITH_STANDINS = """
import sys
from cli_support import QUICK, StandinCommands
from fairmarket.cli.stack import StackConfig
from fairmarket.cli.up import serve
commands = StandinCommands(*sys.argv[2:])
sys.exit(serve(StackConfig.for_tests(sys.argv[1], commands=commands, restart_policy=QUICK)))
"""


def start_up(data: Path, *service_flags: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(HERE), "COLUMNS": "200"}
    return subprocess.Popen(
        [sys.executable, "-c", SERVE_WITH_STANDINS, str(data), *service_flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )


def read_until(proc: subprocess.Popen[str], marker: str) -> list[str]:
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line.rstrip())
        if marker in line:
            return lines
    raise AssertionError(f"no {marker!r} in {lines}; stderr: {proc.stderr.read()}")  # type: ignore[union-attr]


def stack_pids(data: Path) -> list[int]:
    children = [pid for pid, _ in json.loads((data / "children.json").read_text()).values()]
    postgres = int((data / "postgres" / "postmaster.pid").read_text().split()[0])
    return [*children, postgres]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_up_prints_urls_and_token_and_stops_everything_on_a_signal(
    tmp_path: Path, sig: signal.Signals
) -> None:
    data = tmp_path / "data"
    proc = start_up(data)
    try:
        lines = read_until(proc, "Ctrl-C stops everything.")
        pids = stack_pids(data)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert lines[0].startswith("fairmarket is up")
    shown = [line.split()[0] for line in lines[1:8]]
    assert shown == ["catalog", "intake", "collector", "valuation", "sandbox", "broker", "postgres"]
    assert all("http://127.0.0.1:" in line for line in lines[1:6])
    token = (data / "admin.token").read_text().strip()
    assert token in lines
    assert "stopped" in out
    assert gone(pids)


def test_up_names_a_taken_port_and_takes_the_data_dir_from_the_environment(
    tmp_path: Path,
) -> None:
    data = tmp_path / "from-env"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "fairmarket.cli", "up", "--intake-port", str(port)],
            env={**os.environ, "FAIRMARKET_DATA_DIR": str(data), "COLUMNS": "200"},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"port {port} for intake is in use" in result.stdout
    assert "--intake-port" in result.stdout
    assert (data / "logs").is_dir()


def test_up_fails_naming_a_service_that_keeps_crashing(tmp_path: Path) -> None:
    proc = start_up(tmp_path / "data", "--crash-times", "99", "--state", str(tmp_path / "runs"))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "fairmarket up failed: gave up on" in out
    assert "crashing on purpose" in out  # the end of its log
    assert "crashed (exit code 3)" in err  # each crash was reported as it happened
    assert "restarting" in err


def _missing_parts() -> list[str]:
    wanted = ["fairmarket.sandbox.__main__", *(f"fairmarket.{s}.app" for s in SERVICES)]
    return [m for m in wanted if importlib.util.find_spec(m) is None]


@pytest.mark.e2e
@pytest.mark.skipif(bool(_missing_parts()), reason=f"not written yet: {_missing_parts()}")
def test_up_demo_shows_four_valuations_then_stops_everything(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ports = {name: free_port() for name in STACK_PORTS}
    flags = [f"--{name}-port={port}" for name, port in ports.items()]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "fairmarket.cli",
            "up",
            "--exit-after-demo",
            f"--data-dir={data}",
            *flags,
        ],
        env={**os.environ, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(" valued ") == 4, result.stdout
    for source in ("ebay", "discogs", "tcgplayer", "sandbox-shopify", "sandbox-woocommerce"):
        assert source in result.stdout  # priced from several adapters
    assert all(is_free(port) for port in ports.values())
    assert not (data / "children.json").exists()
    assert not (data / "postgres" / "postmaster.pid").exists()

"""More processes of a service beside a running stack: same consumer group, own port.

How Kubernetes scales a consumer service, done by hand: the benchmark's `scale`
and the fault suite's rebalance test both use it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from fairmarket.cli.ports import free_port
from fairmarket.cli.stack import Stack


@contextmanager
def replica(stack: Stack, name: str, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Another process of the service `name`; yields it and its base URL; killed on exit."""
    port = free_port()
    env = {**os.environ, **stack.env, "FAIRMARKET_HOST": "127.0.0.1", "FAIRMARKET_PORT": str(port)}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "fairmarket.cli", "service", name],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


def wait_ready(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} never became ready")
        time.sleep(0.2)

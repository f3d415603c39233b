"""`fairmarket up` itself as a process, as a shop runs it: started, stopped and killed whole.

It exposes what `fault_support` reads of a stack (`urls`, `auth`, `database_url`,
`kafka_bootstrap`), taken from the command's own output and data dir.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from fairmarket.cli.ports import free_port
from fairmarket.cli.stack import STACK_PORTS

SERVICES = ("catalog", "intake", "collector", "valuation")


class UpProcess:
    """One `fairmarket up` after another on the same data dir and ports."""

    def __init__(self, data_dir: Path, *, extra_env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.ports = {name: free_port() for name in STACK_PORTS}
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.output = ""
        self.database_url = ""
        self.runs = 0

    # --- what fault_support reads ---

    @property
    def urls(self) -> dict[str, str]:
        return {n: f"http://127.0.0.1:{self.ports[n]}" for n in (*SERVICES, "sandbox")}

    @property
    def kafka_bootstrap(self) -> str:
        return f"127.0.0.1:{self.ports['broker']}"

    @property
    def auth(self) -> dict[str, str]:
        token = (self.data_dir / "admin.token").read_text().strip()
        return {"Authorization": f"Bearer {token}"}

    @property
    def _out_path(self) -> Path:
        return self.data_dir.parent / f"up-{self.runs}.out"

    # --- lifecycle ---

    def start(self, timeout: float = 180) -> None:
        """Run `fairmarket up` and wait for its summary; returns once every service is ready."""
        self.runs += 1
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        flags = [f"--{name}-port={port}" for name, port in self.ports.items()]
        argv = [sys.executable, "-m", "fairmarket.cli", "up", f"--data-dir={self.data_dir}", *flags]
        env = {**os.environ, "COLUMNS": "250", **self.extra_env}
        with self._out_path.open("wb") as out:
            self.proc = subprocess.Popen(
                argv, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while "Ctrl-C stops everything." not in (text := self._out_path.read_text()):
            if self.proc.poll() is not None:
                raise AssertionError(f"fairmarket up exited {self.proc.returncode}:\n{text}")
            if time.monotonic() > deadline:
                raise AssertionError(f"fairmarket up not up after {timeout}s:\n{text}")
            time.sleep(0.2)
        self.output = text
        found = re.search(r"postgres\s+(postgresql\+asyncpg://\S+)", text)
        assert found, text
        self.database_url = found.group(1)

    def recovered(self) -> str | None:
        """The 're-sent N events from K outboxes' line of this start, if any."""
        found = re.search(r"re-sent \d+ events from \d+ outbox(es)?", self.output)
        return found.group(0) if found else None

    def stop(self, timeout: float = 60) -> int:
        """Ctrl-C, as at the terminal; returns the exit status."""
        proc = self._proc()
        proc.send_signal(signal.SIGINT)
        return proc.wait(timeout)

    def kill_everything(self) -> None:
        """kill -9 of `fairmarket up`, every child it started and PostgreSQL: a power cut."""
        victims = [psutil.Process(self._proc().pid)]
        for pid, _created in self._children().values():
            with contextlib.suppress(psutil.Error):
                victims.append(psutil.Process(int(pid)))
        postmaster = self._postmaster()
        if postmaster is not None:
            victims.append(postmaster)
        everyone = []
        for p in victims:
            with contextlib.suppress(psutil.Error):
                everyone += [p, *p.children(recursive=True)]
        for p in everyone:
            with contextlib.suppress(psutil.Error):
                p.kill()
        psutil.wait_procs(everyone, timeout=15)
        self._proc().wait(15)

    def kill_broker(self, timeout: float = 90) -> int:
        """kill -9 of the embedded broker; the stack stops itself. Returns up's exit status."""
        pid, _created = self._children()["broker"]
        os.kill(int(pid), signal.SIGKILL)
        return self._proc().wait(timeout)

    def close(self) -> None:
        """Whatever happened in the test, leave nothing running."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.stop(60)
        if self.proc is not None and self.proc.poll() is None:
            self.kill_everything()

    # --- internals ---

    def _proc(self) -> subprocess.Popen[bytes]:
        assert self.proc is not None, "not started"
        return self.proc

    def _children(self) -> dict[str, list[float]]:
        return json.loads((self.data_dir / "children.json").read_text())

    def _postmaster(self) -> psutil.Process | None:
        try:
            pid = int((self.data_dir / "postgres" / "postmaster.pid").read_text().split()[0])
            return psutil.Process(pid)
        except (FileNotFoundError, ValueError, psutil.Error):
            return None

"""One child process in its own process group, with its output in a log file.

Each child gets its own session (so the terminal's Ctrl-C reaches only us and we
decide the shutdown order) and is always signalled as a group (so anything it
spawned goes with it).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import psutil

from fairmarket.cli.errors import StackError


def describe_exit(code: int | None) -> str:
    """`exit code 3` or `killed by SIGKILL`: what a user needs to read a crash."""
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def tail(path: Path, lines: int = 20, *, since: int = 0, max_bytes: int = 16_384) -> list[str]:
    """The last lines of a log file written after byte offset `since` (reads only its end)."""
    try:
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(since, size - max_bytes))
            data = f.read()
    except FileNotFoundError:
        return []
    text = data.decode("utf-8", "replace").splitlines()
    return text[-lines:] if lines else []


def alive(proc: psutil.Process) -> bool:
    """Running and not a zombie: a zombie has let go of its ports and files already."""
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def wait_gone(procs: Sequence[psutil.Process], timeout: float) -> bool:
    """Wait for processes that need not be our children (which we could not reap) to end."""
    deadline = time.monotonic() + timeout
    while any(alive(p) for p in procs):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def group_members(pgid: int) -> list[psutil.Process]:
    """The live (non-zombie) processes of a process group."""
    members = []
    for pid in psutil.pids():
        try:
            if os.getpgid(pid) == pgid and alive(proc := psutil.Process(pid)):
                members.append(proc)
        except (OSError, psutil.Error):
            continue
    return members


class ManagedProcess:
    """A command started in a new session whose stdout and stderr append to a log."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        log_path: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self.popen: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.log_offset = 0  # where this run's output starts in the shared log

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            log.write(f"--- {stamp} starting {self.name}: {' '.join(self.argv)}\n".encode())
            log.flush()
            self.log_offset = log.tell()
            self.popen = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
            )
        self.started_at = time.monotonic()

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    @property
    def returncode(self) -> int | None:
        """None while running (or never started); reaps the child when it has exited."""
        return self.popen.poll() if self.popen else None

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    @property
    def uptime(self) -> float:
        return time.monotonic() - self.started_at if self.popen else 0.0

    def signal_group(self, sig: signal.Signals) -> None:
        """Signal the whole group, whose members may outlive the leader.

        Once the leader is reaped its pid may be reused, but not while any process
        still has it as its group id: so signal only a group that still has members.
        """
        if self.popen is None:
            return
        pgid = self.popen.pid
        if self.popen.returncode is not None and not group_members(pgid):
            return
        try:
            os.killpg(pgid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def wait(self, timeout: float | None = None) -> int | None:
        if self.popen is None:
            return None
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> int | None:
        """SIGKILL the group, reap the leader, and wait until no member is left."""
        self.signal_group(signal.SIGKILL)
        code = self.wait(5)
        if self.popen is not None:
            wait_gone(group_members(self.popen.pid), 5)
        return code

    def tail(self, lines: int = 20) -> list[str]:
        """The end of this run's output (not of earlier runs in the same log)."""
        return tail(self.log_path, lines, since=self.log_offset)


def stop_all(
    processes: Sequence[ManagedProcess], grace: float, hurry: threading.Event | None = None
) -> None:
    """SIGTERM every group at once, give them `grace` seconds together, then SIGKILL.

    The final SIGKILL goes to every group, exited leader or not, so no grandchild
    survives its parent. Setting `hurry` (a second Ctrl-C) cuts the grace short.
    """
    for proc in processes:
        if proc.running:
            proc.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(p.running for p in processes) and time.monotonic() < deadline:
        if hurry is not None and hurry.is_set():
            break
        time.sleep(0.02)
    for proc in processes:
        proc.kill()


def run_once(
    name: str, argv: Sequence[str], log_path: Path, env: Mapping[str, str], timeout: float
) -> None:
    """Run a one-off step (migrations) to completion; StackError with its log if it fails."""
    proc = ManagedProcess(name, argv, log_path=log_path, env=env)
    proc.start()
    try:
        code = proc.wait(timeout)
    finally:
        proc.kill()  # timed out or interrupted: never leave it running
    if code != 0:
        status = describe_exit(code) if code is not None else f"timed out after {timeout:g}s"
        lines = "\n".join(f"    {line}" for line in proc.tail(20))
        raise StackError(f"{name} failed ({status}); last lines of {log_path}:\n{lines}")

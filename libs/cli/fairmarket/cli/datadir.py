"""The stack's data directory: secret, admin token, logs, a lock, and the children's pids.

The lock keeps two stacks off one directory. The pid record lets the next start
clean up children that a hard kill of the previous `up` (SIGKILL, a closed
laptop lid) left behind: their leftover broker or services would otherwise hold
the ports.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import signal
from pathlib import Path
from typing import IO

import psutil

from fairmarket.cli.errors import StackError
from fairmarket.cli.process import wait_gone

log = logging.getLogger("fairmarket.stack")


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read, atomically (no moment with wider permissions)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


class DataDir:
    def __init__(self, root: Path) -> None:
        self.root = Path(root).expanduser().resolve()
        self._lock_file: IO[str] | None = None

    @property
    def postgres(self) -> Path:
        return self.root / "postgres"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def secret_path(self) -> Path:
        return self.root / "jwt.secret"

    @property
    def token_path(self) -> Path:
        return self.root / "admin.token"

    @property
    def _pids_path(self) -> Path:
        return self.root / "children.json"

    def log_path(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def prepare(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)

    def link_postgres_log(self) -> None:
        """logs/postgres.log points at the server's own log, so all logs are in one place."""
        link = self.log_path("postgres")
        if not link.is_symlink():
            link.unlink(missing_ok=True)
            link.symlink_to(self.postgres / "log")

    def jwt_secret(self) -> str:
        """Generated once, then reused, so tokens issued earlier stay valid across restarts."""
        if self.secret_path.exists():
            secret = self.secret_path.read_text().strip()
            if secret:
                self.secret_path.chmod(0o600)
                return secret
        secret = secrets.token_urlsafe(48)
        _write_private(self.secret_path, secret + "\n")
        return secret

    def write_token(self, token: str) -> Path:
        _write_private(self.token_path, token + "\n")
        return self.token_path

    # --- one stack per directory ---

    def lock(self) -> None:
        path = self.root / "stack.lock"
        f = path.open("a+")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            owner = f.read().strip() or "?"
            f.close()
            raise StackError(
                f"another fairmarket stack (pid {owner}) is using {self.root}; "
                "stop it first or choose another data dir"
            ) from None
        f.seek(0)
        f.truncate()
        f.write(f"{os.getpid()}\n")
        f.flush()
        self._lock_file = f

    def unlock(self) -> None:
        if self._lock_file is not None:
            self._pids_path.unlink(missing_ok=True)
            self._lock_file.close()
            self._lock_file = None

    # --- children of a previous run ---

    def record(self, name: str, pid: int) -> None:
        """Remember a child (pid and start time, so a reused pid is never mistaken for it)."""
        with contextlib.suppress(psutil.Error):
            records = self._records()
            records[name] = [pid, psutil.Process(pid).create_time()]
            self._pids_path.write_text(json.dumps(records))

    def _records(self) -> dict[str, list[float]]:
        try:
            return json.loads(self._pids_path.read_text())
        except (FileNotFoundError, ValueError):
            return {}

    def kill_leftovers(self) -> list[str]:
        """SIGKILL the process groups of children a dead earlier stack left running."""
        killed: list[str] = []
        procs: list[psutil.Process] = []
        for name, (pid, created) in self._records().items():
            try:
                proc = psutil.Process(int(pid))
                if proc.create_time() != created:
                    continue
                os.killpg(int(pid), signal.SIGKILL)
            except (psutil.Error, ProcessLookupError, PermissionError):
                continue
            killed.append(name)
            procs.append(proc)
            log.warning("stopped %s (pid %s), left running by an earlier stack", name, pid)
        wait_gone(procs, 10)
        self._pids_path.unlink(missing_ok=True)
        return killed

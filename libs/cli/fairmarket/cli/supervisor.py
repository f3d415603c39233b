"""A small process manager: keeps named children running, restarting crashes with backoff.

A monitor thread polls the children. A child that exits while it is wanted is
reported (name, exit status, the end of its log) and started again after an
exponential backoff; after `max_quick_crashes` crashes in a row, each within
`stable_after` seconds of its start, the supervisor gives up on it and says so.
Every report is both logged (logger `fairmarket.stack`) and kept in `events`,
so a test can wait for one instead of sleeping.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from fairmarket.cli.errors import NotReady
from fairmarket.cli.probes import Probe
from fairmarket.cli.process import ManagedProcess, describe_exit, stop_all

log = logging.getLogger("fairmarket.stack")

EventKind = Literal["started", "crashed", "restarting", "gave_up", "stopped"]


@dataclass(frozen=True)
class RestartPolicy:
    restart: bool = True
    initial_backoff: float = 0.5
    max_backoff: float = 15.0
    stable_after: float = 15.0
    max_quick_crashes: int = 5
    why_not: str = ""  # said when `restart` is off, so nobody wonders why

    def backoff(self, crashes: int) -> float:
        return min(self.max_backoff, self.initial_backoff * 2 ** max(0, crashes - 1))


@dataclass(frozen=True)
class ChildSpec:
    name: str
    argv: Sequence[str]
    log_path: Path
    env: Mapping[str, str] | None = None
    probe: Probe | None = None
    policy: RestartPolicy = RestartPolicy()


@dataclass(frozen=True)
class Event:
    kind: EventKind
    name: str
    message: str
    exit_code: int | None = None
    pid: int | None = None
    at: float = field(default_factory=time.monotonic)


@dataclass
class _Child:
    spec: ChildSpec
    process: ManagedProcess
    wanted: bool = False
    quick_crashes: int = 0
    restarts: int = 0
    restart_at: float | None = None
    failure: str | None = None


def _indent(lines: Iterable[str]) -> str:
    return "\n".join(f"    {line}" for line in lines)


class Supervisor:
    """Thread-based; call `close()` (or `stop` everything) when done."""

    def __init__(
        self, *, poll_interval: float = 0.1, on_event: Callable[[Event], None] | None = None
    ) -> None:
        self.poll_interval = poll_interval
        self.on_event = on_event
        self.events: list[Event] = []
        self.gave_up = threading.Event()
        self._children: dict[str, _Child] = {}
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._monitor, name="supervisor", daemon=True)
        self._thread.start()

    # --- registry ---

    def add(self, spec: ChildSpec) -> None:
        with self._lock:
            process = ManagedProcess(spec.name, spec.argv, log_path=spec.log_path, env=spec.env)
            self._children[spec.name] = _Child(spec, process)

    @property
    def names(self) -> list[str]:
        return list(self._children)

    def process(self, name: str) -> ManagedProcess:
        return self._child(name).process

    def restarts(self, name: str) -> int:
        return self._child(name).restarts

    @property
    def failures(self) -> dict[str, str]:
        with self._lock:
            return {n: c.failure for n, c in self._children.items() if c.failure}

    def _child(self, name: str) -> _Child:
        try:
            return self._children[name]
        except KeyError:
            raise KeyError(f"no child named {name!r}; one of {', '.join(self._children)}") from None

    # --- control ---

    def start(self, *names: str) -> None:
        with self._lock:
            for name in names:
                child = self._child(name)
                if child.process.running:
                    continue
                child.wanted, child.failure, child.quick_crashes = True, None, 0
                child.restart_at = None
                self._spawn(child)

    def stop(self, *names: str, grace: float = 10.0, hurry: threading.Event | None = None) -> None:
        """Stop these children together (SIGTERM, `grace`, SIGKILL); no restart follows."""
        with self._lock:
            children = [self._child(n) for n in names]
            for child in children:
                child.wanted, child.restart_at = False, None
        stop_all([c.process for c in children], grace, hurry)
        for child in children:
            if child.process.popen is not None:
                self._emit("stopped", child.spec.name, f"stopped {child.spec.name}", logging.DEBUG)

    def kill(self, name: str, *, restart: bool = False) -> None:
        """SIGKILL one child. With `restart`, it counts as a crash and the supervisor heals it."""
        child = self._child(name)
        with self._lock:
            if not restart:
                child.wanted, child.restart_at = False, None
        child.process.kill()

    def restart(self, name: str, *, grace: float = 10.0) -> None:
        self.stop(name, grace=grace)
        self.start(name)

    def close(self, grace: float = 10.0, hurry: threading.Event | None = None) -> None:
        """Stop every child still running, then the monitor thread."""
        self.stop(*self._children, grace=grace, hurry=hurry)
        self._closing.set()
        self._thread.join(5)

    # --- waiting ---

    def wait_for(self, predicate: Callable[[list[Event]], bool], timeout: float) -> bool:
        """Block until `predicate(events)` holds (True) or `timeout` passes (False)."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self.events), timeout)

    def wait_ready(self, names: Sequence[str], timeout: float) -> None:
        """Poll each child's probe until all pass; raise NotReady naming any that did not."""
        deadline = time.monotonic() + timeout
        pending = {name: "not probed yet" for name in names}
        while True:
            for name in list(pending):
                child = self._child(name)
                if child.failure:
                    raise NotReady(name, f"{child.failure}\n{self._log_excerpt(child)}")
                if not child.process.running:
                    code = child.process.returncode
                    pending[name] = (
                        f"not running ({describe_exit(code)})"
                        if code is not None
                        else "not running"
                    )
                    continue
                reason = child.spec.probe() if child.spec.probe else None
                if reason is None:
                    del pending[name]
                else:
                    pending[name] = reason
            if not pending:
                return
            if time.monotonic() >= deadline:
                name, reason = next(iter(pending.items()))
                others = [n for n in pending if n != name]
                also = f"\n(also not ready: {', '.join(others)})" if others else ""
                excerpt = self._log_excerpt(self._child(name))
                raise NotReady(
                    name, f"{name} is not ready after {timeout:g}s: {reason}\n{excerpt}{also}"
                )
            time.sleep(0.05)

    @staticmethod
    def _log_excerpt(child: _Child, lines: int = 15) -> str:
        return f"last lines of {child.spec.log_path}:\n{_indent(child.process.tail(lines))}"

    # --- monitor ---

    def _spawn(self, child: _Child) -> None:
        spec = child.spec
        child.process = ManagedProcess(spec.name, spec.argv, log_path=spec.log_path, env=spec.env)
        child.process.start()
        pid = child.process.pid
        self._emit("started", spec.name, f"started {spec.name} (pid {pid})", pid=pid)

    def _monitor(self) -> None:
        while not self._closing.is_set():
            try:
                self._tick()
            except Exception:  # the monitor must outlive any one bad child
                log.exception("supervisor tick failed")
            self._closing.wait(self.poll_interval)

    def _tick(self) -> None:
        with self._lock:
            for child in self._children.values():
                if not child.wanted:
                    continue
                if child.restart_at is not None:
                    if time.monotonic() >= child.restart_at:
                        child.restart_at = None
                        child.restarts += 1
                        try:
                            self._spawn(child)
                        except OSError as exc:
                            self._give_up(child, f"could not start {child.spec.name}: {exc}")
                    continue
                code = child.process.returncode
                if code is not None:
                    self._crashed(child, code)

    def _crashed(self, child: _Child, code: int) -> None:
        name, policy, uptime = child.spec.name, child.spec.policy, child.process.uptime
        status = describe_exit(code)
        self._emit(
            "crashed",
            name,
            f"{name} crashed ({status}) after {uptime:.1f}s; {self._log_excerpt(child)}",
            logging.ERROR,
            code,
        )
        if not policy.restart:
            why = f" ({policy.why_not})" if policy.why_not else ""
            self._give_up(child, f"{name} exited ({status}) and is not restarted{why}")
            return
        child.quick_crashes = child.quick_crashes + 1 if uptime < policy.stable_after else 1
        if child.quick_crashes >= policy.max_quick_crashes:
            self._give_up(
                child,
                f"gave up on {name}: it crashed {child.quick_crashes} times in a row, each "
                f"within {policy.stable_after:g}s of starting (last: {status}); "
                f"see {child.spec.log_path}",
            )
            return
        delay = policy.backoff(child.quick_crashes)
        child.restart_at = time.monotonic() + delay
        self._emit(
            "restarting",
            name,
            f"restarting {name} in {delay:.1f}s (crash {child.quick_crashes} in a row; "
            f"giving up at {policy.max_quick_crashes})",
            logging.WARNING,
            code,
        )

    def _give_up(self, child: _Child, message: str) -> None:
        child.wanted, child.failure, child.restart_at = False, message, None
        self._emit("gave_up", child.spec.name, message, logging.ERROR)
        self.gave_up.set()

    def _emit(
        self,
        kind: EventKind,
        name: str,
        message: str,
        level: int = logging.INFO,
        code: int | None = None,
        pid: int | None = None,
    ) -> None:
        event = Event(kind, name, message, code, pid)
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()
        log.log(level, message)
        if self.on_event is not None:
            self.on_event(event)

"""The all-in-one stack as a library: `fairmarket up`, the end-to-end tests and benchmarks.

`Stack` is synchronous (blocking calls, a supervisor thread), so it works the
same from a CLI, a pytest session fixture (sync or async tests) or a script::

    with Stack(StackConfig.for_tests(tmp_path)) as stack:   # free ports, fast backoff
        httpx.post(f"{stack.urls['intake']}/v1/intakes", headers=stack.auth, json=...)
        stack.kill("valuation")                              # SIGKILL; stays down
        stack.restart("valuation")                           # back, and ready
        stack.kill("catalog", restart=True)                  # a crash: the supervisor heals it
        await stack.wait_ready_async(["catalog"])            # (or stack.wait_ready(...))

Startup order: broker and sandbox are spawned, PostgreSQL starts meanwhile,
migrations run once; over a database that already holds events, the outboxes'
recent events are re-queued for the fresh embedded broker (see
`fairmarket.common.messaging.resend`); then the four services start together, the
stack waits until every /readyz answers 200 and until the relays have published
the re-queued events again. `stop()` goes the other way: services
(SIGTERM together, a grace period, SIGKILL), sandbox, broker, PostgreSQL.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Self, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from fairmarket.cli.datadir import DataDir
from fairmarket.cli.embedded import EmbeddedPostgres, start_postgres, stop_postgres_dir
from fairmarket.cli.errors import StackError
from fairmarket.cli.process import run_once
from fairmarket.cli.sandbox_env import sandbox_marketplaces
from fairmarket.cli.services import spec
from fairmarket.cli.stack_children import (
    broker_spec,
    child_env,
    choose_ports,
    sandbox_spec,
    service_spec,
)
from fairmarket.cli.stack_config import STACK_PORTS, Commands, StackConfig
from fairmarket.cli.stack_database import run_on_database
from fairmarket.cli.supervisor import ChildSpec, Event, Supervisor
from fairmarket.common.messaging.resend import Resend, requeue_recent, still_unsent

__all__ = ["STACK_PORTS", "Commands", "Stack", "StackConfig", "sandbox_marketplaces"]

log = logging.getLogger("fairmarket.stack")

TOKEN_TTL = timedelta(days=30)
T = TypeVar("T")


class Stack:
    """PostgreSQL, broker, sandbox and services for one data dir; see the module docstring."""

    def __init__(self, config: StackConfig | None = None) -> None:
        self.config = config or StackConfig()
        self.data = DataDir(self.config.data_dir)
        self.ports = dict(self.config.ports)
        self.supervisor: Supervisor | None = None
        self.postgres: EmbeddedPostgres | None = None
        self.jwt_secret = ""
        self.admin_token = ""
        self.hurry = threading.Event()  # set to cut the shutdown grace short (second Ctrl-C)
        self._started = False
        self._postgres_starting = False
        self.resend = Resend()  # what this start re-queued for a fresh broker
        self.resend_waiting = 0  # of those, how many the relays had not re-sent when ready

    # --- what tests and the CLI read ---

    @property
    def database_url(self) -> str:
        if self.config.database_url:
            return self.config.database_url
        if self.postgres is None:
            raise StackError("the embedded PostgreSQL is not running")
        return self.postgres.url

    @property
    def kafka_bootstrap(self) -> str:
        return self.config.kafka_bootstrap or f"{self.config.host}:{self.ports['broker']}"

    @property
    def urls(self) -> dict[str, str]:
        """Base URL of each service (and of the sandbox marketplace)."""
        names = [*self.config.services, *(["sandbox"] if self.config.sandbox else [])]
        names.sort(key=list(STACK_PORTS).index)  # catalog, intake, collector, valuation, sandbox
        return {n: f"http://{self.config.host}:{self.ports[n]}" for n in names}

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    @property
    def env(self) -> dict[str, str]:
        """The FAIRMARKET_* settings every service gets (host and port are per service)."""
        env = {
            "FAIRMARKET_DATABASE_URL": self.database_url,
            "FAIRMARKET_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "FAIRMARKET_JWT_SECRET": self.jwt_secret,
            "FAIRMARKET_LOG_LEVEL": self.config.log_level,
            "FAIRMARKET_DATA_DIR": str(self.data.root),
        }
        if "intake" in self.config.services:  # the catalog's console takes items in there
            env["FAIRMARKET_INTAKE_URL"] = self.urls["intake"]
        idempotence = self.config.kafka_idempotence
        if idempotence is None and self.config.kafka_bootstrap is None:
            idempotence = False  # Tansu has no idempotent producer
        if idempotence is not None:
            env["FAIRMARKET_KAFKA_IDEMPOTENCE"] = str(idempotence).lower()
        if self.config.sandbox:
            env |= sandbox_marketplaces(self.urls["sandbox"], self.config.own_marketplaces)
        return {**env, **self.config.extra_env}

    def token(self, role: str = "admin", subject: str = "admin") -> str:
        from fairmarket.common.auth import issue_token

        return issue_token(self.jwt_secret, role, subject=subject, ttl=TOKEN_TTL)

    def log_path(self, name: str) -> Path:
        return self.data.log_path(name)

    # --- lifecycle ---

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, *, wait: bool = True) -> Self:
        """Start everything; on any failure (or Ctrl-C) stop what was started, then raise."""
        self._started = True
        atexit.register(self.stop)
        try:
            self._start(wait)
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self, wait: bool) -> None:
        began = time.monotonic()
        self.data.prepare()
        self.data.lock()
        self.data.kill_leftovers()
        self.ports = choose_ports(self.config, self.ports)
        self.jwt_secret = self.data.jwt_secret()
        self.supervisor = Supervisor(on_event=self._on_event)
        early = self._add_infra()
        self.supervisor.start(*early)
        if self.config.database_url is None:
            self._postgres_starting = True
            self.postgres = start_postgres(self.data.postgres)
            self.data.link_postgres_log()
            log.info("postgres ready on %s", self.postgres.socket_dir)
        if "broker" in early:
            self.supervisor.wait_ready(["broker"], 15)
            log.info("broker listening on %s", self.kafka_bootstrap)
        self._run_migrations()
        self._requeue_for_fresh_broker()
        self.admin_token = self.token("admin")
        self.data.write_token(self.admin_token)
        for name in self.config.services:
            self.supervisor.add(self._service_spec(name))
        self.supervisor.start(*self.config.services)
        if wait:
            self.wait_ready()
            self.wait_resent()
            log.info("stack ready in %.1fs", time.monotonic() - began)

    def wait_ready(self, names: list[str] | None = None, timeout: float | None = None) -> None:
        """Until every (or each named) child is ready; NotReady names the first that is not."""
        sup = self._sup()
        sup.wait_ready(names or sup.names, timeout or self.config.ready_timeout)

    def wait_resent(self, timeout: float | None = None) -> int:
        """Until the relays have published the re-queued events again; returns how many still
        wait (then the broker is slow or gone, and the relays keep trying)."""
        if not self.resend.events:
            return 0
        deadline = time.monotonic() + (timeout or self.config.ready_timeout)
        while True:
            waiting = self._database(lambda engine: still_unsent(engine, self.resend))
            if not waiting or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.resend_waiting = waiting
        log.info("%s (%d still waiting)", self.resend.summary(), waiting)
        return waiting

    async def wait_ready_async(
        self, names: list[str] | None = None, timeout: float | None = None
    ) -> None:
        """`wait_ready` for async tests, without blocking their event loop."""
        await asyncio.to_thread(self.wait_ready, names, timeout)

    def stop(self) -> None:
        """Services, then sandbox, then broker, then PostgreSQL; safe to call twice."""
        if not self._started:
            return
        self._started = False
        atexit.unregister(self.stop)
        grace = self.config.stop_grace
        if self.supervisor is not None:
            present = set(self.supervisor.names)
            for group in (self.config.services, ("sandbox",), ("broker",)):
                names = [n for n in group if n in present]
                if names:
                    self.supervisor.stop(*names, grace=grace, hurry=self.hurry)
            self.supervisor.close(grace=0)
        if self.postgres is not None:
            self.postgres.stop()
            self.postgres = None
        elif self._postgres_starting:  # its start was interrupted; the server may be up anyway
            stop_postgres_dir(self.data.postgres)
        self._postgres_starting = False
        self.data.unlock()

    # --- faults, for the reliability tests ---

    def kill(self, name: str, *, restart: bool = False) -> None:
        """SIGKILL one child; `restart=True` lets the supervisor restart it as after a crash."""
        self._sup().kill(name, restart=restart)

    def restart(self, name: str, *, wait: bool = True) -> None:
        """(Re)start one child, gracefully stopping it first if it runs."""
        self._sup().restart(name, grace=self.config.stop_grace)
        if wait:
            self.wait_ready([name])

    def restart_postgres(self) -> None:
        """Stop and start the embedded PostgreSQL; same socket, same data."""
        with self.postgres_down():
            pass

    @contextmanager
    def postgres_down(self) -> Iterator[None]:
        """The embedded PostgreSQL stopped for the with-block, then started on the same data."""
        if self.postgres is None:
            raise StackError("only the embedded PostgreSQL can be stopped and started")
        self.postgres.stop()
        try:
            yield
        finally:
            self.postgres = start_postgres(self.data.postgres)

    # --- internals ---

    def _sup(self) -> Supervisor:
        if self.supervisor is None:
            raise StackError("the stack is not started")
        return self.supervisor

    def _child_env(self, port: int | None = None) -> dict[str, str]:
        return child_env(self.config, self.env, port)

    def _add_infra(self) -> list[str]:
        """The broker (unless Kafka is external) and the sandbox; the names added."""
        sup, early = self._sup(), []
        if self.config.kafka_bootstrap is None:
            sup.add(broker_spec(self.config.host, self.ports["broker"], self.log_path("broker")))
            early.append("broker")
        if self.config.sandbox:
            url, port = self.urls["sandbox"], self.ports["sandbox"]
            sup.add(sandbox_spec(self.config, port, url, self.log_path("sandbox")))
            early.append("sandbox")
        return early

    def _service_spec(self, name: str) -> ChildSpec:
        env = self._child_env(self.ports[name])
        return service_spec(self.config, name, self.urls[name], self.log_path(name), env)

    def _run_migrations(self) -> None:
        began = time.monotonic()
        argv, log_path = self.config.commands.migrate(), self.log_path("migrate")
        run_once("migrations", argv, log_path, self._child_env(), self.config.migrate_timeout)
        log.info("migrations applied in %.1fs", time.monotonic() - began)

    def _requeue_for_fresh_broker(self) -> None:
        """A new embedded broker starts empty: the events of the last window go again."""
        if self.config.kafka_bootstrap is not None or self.config.resend_minutes <= 0:
            return  # an external Kafka kept its topics
        schemas = [spec(name).schema for name in self.config.services]
        window = timedelta(minutes=self.config.resend_minutes)
        self.resend = self._database(lambda engine: requeue_recent(engine, schemas, window))
        if self.resend.events:
            log.info(
                "re-sending %d events from %d outboxes, those sent in the %g min before %s",
                self.resend.events,
                len(self.resend.outboxes),
                self.config.resend_minutes,
                self.resend.anchor,
            )

    def _database(self, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
        return run_on_database(self.database_url, work)

    def _on_event(self, event: Event) -> None:
        if event.kind == "started" and event.pid is not None:
            self.data.record(event.name, event.pid)

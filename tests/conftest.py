"""Session-wide real infrastructure: an embedded PostgreSQL and a Tansu broker.

Given `FAIRMARKET_TEST_DATABASE_URL` / `FAIRMARKET_TEST_KAFKA_BOOTSTRAP`, those are
used instead; with `FAIRMARKET_TEST_CONTAINERS=1` (a machine with Docker),
testcontainers' PostgreSQL and Kafka.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# Fixtures that start real infrastructure: a test using any of them, directly or through
# another fixture, is marked for what it starts, whatever its module says.
INTEGRATION_FIXTURES = {"pg_url", "kafka_bootstrap", "migrated_db", "service_app"}
E2E_FIXTURES = {"stack"}
TIERS = ("integration", "e2e", "bench")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "unit: starts neither PostgreSQL nor a broker nor the stack (tests/conftest.py)"
    )
    config.addinivalue_line("markers", "bench: times the code at production sizes (tests/bench)")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Honest tiers: `e2e` runs the stack as processes, `integration` starts PostgreSQL or a
    broker, `bench` times the code at production sizes, `unit` is everything else
    (`./fm test -m unit` needs neither and runs in seconds)."""
    for item in items:
        if item.path.parent.name == "bench":
            item.add_marker(pytest.mark.bench)
        used = set(getattr(item, "fixturenames", ()))
        if used & E2E_FIXTURES:
            item.add_marker(pytest.mark.e2e)
        if used & INTEGRATION_FIXTURES:
            item.add_marker(pytest.mark.integration)
        if not any(item.get_closest_marker(name) for name in TIERS):
            item.add_marker(pytest.mark.unit)


def _containers() -> bool:
    return os.environ.get("FAIRMARKET_TEST_CONTAINERS") == "1"


@pytest.fixture(scope="session")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A SQLAlchemy asyncpg URL of a real PostgreSQL server."""
    if url := os.environ.get("FAIRMARKET_TEST_DATABASE_URL"):
        yield url
        return
    if _containers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver="asyncpg") as pg:
            yield pg.get_connection_url()
        return
    from fairmarket.cli import embedded

    server = embedded.start_postgres(tmp_path_factory.mktemp("pg"))
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def _external_broker() -> Iterator[str | None]:
    """A given or containerized broker, shared by the session; None: embedded ones per module."""
    if bootstrap := os.environ.get("FAIRMARKET_TEST_KAFKA_BOOTSTRAP"):
        yield bootstrap
        return
    if _containers():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer().with_kraft() as kafka:
            yield kafka.get_bootstrap_server()
        return
    yield None


@pytest.fixture(scope="module")
def kafka_bootstrap(_external_broker: str | None) -> Iterator[str]:
    """host:port of a real Kafka-protocol broker.

    The embedded Tansu is fresh for each test module, as `migrated_db` is: a module's
    services neither consume what another module left in the topics (under pytest-xdist
    the modules before it differ from run to run) nor wait at their first consumer-group
    join for members of another module's apps to time out (about 13 s each time).
    """
    if _external_broker is not None:
        yield _external_broker
        return
    from fairmarket.cli import embedded

    broker = embedded.start_broker()
    try:
        yield broker.bootstrap
    finally:
        broker.stop()


@pytest.fixture
def unique() -> str:
    """A short unique suffix for topics, groups and schemas of one test."""
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip(f"shared test data not found at {SHARED_DATA}")
    return SHARED_DATA


def _database_url(base: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(base).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def migrated_db(pg_url: str) -> str:
    """A fresh database with every service's migrations applied (one per test module)."""
    import asyncio

    import asyncpg
    from sqlalchemy.engine import make_url

    from fairmarket.cli.services import SERVICES, spec
    from fairmarket.common.migrations import upgrade

    name = f"t_{uuid.uuid4().hex[:12]}"
    url = make_url(pg_url)

    async def create() -> None:
        conn = await asyncpg.connect(
            host=url.query.get("host") or url.host,
            port=url.port,
            user=url.username,
            password=url.password,
            database=url.database,
        )
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(create())
    db_url = _database_url(pg_url, name)
    for service in SERVICES:
        svc = spec(service)
        upgrade(svc.migrations_dir, db_url, svc.schema)
    return db_url


@pytest.fixture
async def service_app(migrated_db: str, kafka_bootstrap: str) -> Any:
    """Start a service's FastAPI app in-process (lifespan included); yields an httpx client.

    Usage: `client = await service_app("catalog")`.
    """
    from contextlib import AsyncExitStack

    import httpx

    from fairmarket.cli.services import spec

    stack = AsyncExitStack()
    # Settings are read from the environment; what one test sets for its app must not
    # reach later tests (a leaked marketplace credential made later stacks call a dead
    # "real" eBay; a leaked short watchdog time re-requested their runs).
    saved = dict(os.environ)

    async def start(name: str, **env: str) -> httpx.AsyncClient:
        os.environ.update(
            {
                "FAIRMARKET_DATABASE_URL": migrated_db,
                "FAIRMARKET_KAFKA_BOOTSTRAP": kafka_bootstrap,
                "FAIRMARKET_KAFKA_IDEMPOTENCE": "false",
                "FAIRMARKET_JWT_SECRET": TEST_SECRET,
                "FAIRMARKET_TOPIC_PARTITIONS": "3",
                **env,
            }
        )
        app = spec(name).create_app()
        await stack.enter_async_context(app.router.lifespan_context(app))
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"http://{name}"
        )
        client.app = app  # type: ignore[attr-defined]
        await stack.enter_async_context(client)
        return client

    try:
        yield start
    finally:
        await stack.aclose()
        os.environ.clear()
        os.environ.update(saved)


TEST_SECRET = "test-secret-" + "x" * 24


@pytest.fixture
def bearer() -> Any:
    """`bearer("staff")` -> the Authorization header of a token with that role."""
    from fairmarket.common.auth import issue_token

    def header(role: str = "admin", subject: str = "tester") -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(TEST_SECRET, role, subject=subject)}"}

    return header


@pytest.fixture
def receiver() -> Iterator[Any]:
    """A webhook receiver on loopback that verifies every signature (tests/webhook_receiver.py)."""
    from webhook_receiver import Receiver, serve

    r = Receiver()
    server = serve(r)
    yield r
    server.shutdown()
    server.server_close()

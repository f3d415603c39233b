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

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


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
def kafka_bootstrap() -> Iterator[str]:
    """host:port of a real Kafka-protocol broker."""
    if bootstrap := os.environ.get("FAIRMARKET_TEST_KAFKA_BOOTSTRAP"):
        yield bootstrap
        return
    if _containers():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer().with_kraft() as kafka:
            yield kafka.get_bootstrap_server()
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

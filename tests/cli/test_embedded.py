"""The embedded PostgreSQL and Tansu broker, for real."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg
import psutil
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from cli_support import gone

from fairmarket.cli import embedded
from fairmarket.cli.ports import is_free

pytestmark = pytest.mark.integration


async def test_postgres_over_its_socket_keeps_data_across_a_restart(tmp_path: Path) -> None:
    pgdata = tmp_path / "data" / "postgres"
    server = embedded.start_postgres(pgdata)
    try:
        assert server.url == f"postgresql+asyncpg://postgres@/postgres?host={server.socket_dir}"
        conn = await asyncpg.connect(server.dsn)
        await conn.execute("CREATE TABLE kept (note text)")
        await conn.execute("INSERT INTO kept VALUES ('survives')")
        await conn.close()
    finally:
        server.stop()
    assert not server.running
    assert gone([server.pid])

    again = embedded.start_postgres(pgdata)
    try:
        assert again.pid != server.pid
        conn = await asyncpg.connect(again.dsn)
        assert await conn.fetchval("SELECT note FROM kept") == "survives"
        await conn.close()
    finally:
        again.stop()
    assert gone([again.pid])


async def test_broker_serves_the_kafka_protocol_then_stops(tmp_path: Path) -> None:
    broker = embedded.start_broker(log_path=tmp_path / "broker.log")
    pid = broker.process.pid
    try:
        admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap)
        await admin.start()
        try:
            topic = f"embedded-{uuid.uuid4().hex[:8]}"
            await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
            assert topic in await admin.list_topics()
        finally:
            await admin.close()
    finally:
        broker.stop()
    assert pid is not None and not psutil.pid_exists(pid)
    assert is_free(broker.port)


def test_a_taken_broker_port_is_reported(tmp_path: Path) -> None:
    first = embedded.start_broker(log_path=tmp_path / "first.log")
    try:
        with pytest.raises(
            embedded.StackError, match=rf"port {first.port} for the broker is in use"
        ):
            embedded.start_broker(first.port, log_path=tmp_path / "second.log")
    finally:
        first.stop()

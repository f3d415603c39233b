"""Collector's schema: jobs, raw marketplace responses (for audit and replay), price points."""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from fairmarket.common.tables import add_messaging_tables

SCHEMA = "collector"
metadata = MetaData(schema=SCHEMA)

jobs = Table(
    "jobs",
    metadata,
    Column("request_id", UUID(as_uuid=True), primary_key=True),
    Column("run_id", UUID(as_uuid=True), nullable=False),
    Column("item_id", UUID(as_uuid=True), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("source", String(100), nullable=False),
    Column("adapter", String(50), nullable=False),
    Column("request", JSONB, nullable=False),
    Column("status", String(10), nullable=False),
    Column("collected", Integer, nullable=False),
    Column("filtered", Integer, nullable=False),
    Column("error", Text),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_jobs_item", "item_id"),
)

# Each distinct response body is stored once, by the SHA-256 of its content.
raw_artifacts = Table(
    "raw_artifacts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("content_type", String(200)),
    Column("size", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

exchanges = Table(
    "exchanges",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("request_id", UUID(as_uuid=True), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("artifact_id", String(64), nullable=False),
    Column("method", String(10), nullable=False),
    Column("url", Text, nullable=False),
    Column("params", JSONB, nullable=False),
    Column("status", Integer, nullable=False),
    Column("elapsed_ms", Float, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Index("ix_exchanges_request", "request_id", "seq"),
)

price_points = Table(
    "price_points",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("request_id", UUID(as_uuid=True), primary_key=True),
    Column("item_id", UUID(as_uuid=True), nullable=False),
    Column("raw_artifact_id", String(64)),
    Column("payload", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_price_points_item", "item_id"),
)

outbox, inbox = add_messaging_tables(metadata)

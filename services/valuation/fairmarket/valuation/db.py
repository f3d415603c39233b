"""Valuation's schema: each item's comps, what each request delivered, and valuation history."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from fairmarket.common.tables import add_messaging_tables

SCHEMA = "valuation"
metadata = MetaData(schema=SCHEMA)

comps = Table(
    "comps",
    metadata,
    Column("price_point_id", UUID(as_uuid=True), primary_key=True),
    Column("item_id", UUID(as_uuid=True), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("source", String(100), nullable=False),
    Column("reputation", Float, nullable=False),
    Column("kind", String(10), nullable=False),
    Column("total_usd_cents", BigInteger, nullable=False),
    Column("observed_at", DateTime(timezone=True), nullable=False),
    Column("match_score", Float, nullable=False),
    Column("sale_format", String(20), nullable=False),
    Column("bids", Integer),
    Column("grade", String(100)),
    Column("filtered", Boolean, nullable=False),
    Column("filtered_reason", String(500)),
    Index("ix_valuation_comps_item", "item_id", "revision"),
)

# Which comps each request delivered, so a valuation waits until a request's
# completion and all of its comps (two topics, no order between them) are in.
request_comps = Table(
    "request_comps",
    metadata,
    Column("request_id", UUID(as_uuid=True), primary_key=True),
    Column("price_point_id", UUID(as_uuid=True), primary_key=True),
    Column("item_id", UUID(as_uuid=True), nullable=False),
    Column("revision", Integer, nullable=False),
    Index("ix_request_comps_item", "item_id", "revision"),
)

requests = Table(
    "requests",
    metadata,
    Column("request_id", UUID(as_uuid=True), primary_key=True),
    Column("run_id", UUID(as_uuid=True), nullable=False),
    Column("item_id", UUID(as_uuid=True), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("status", String(10), nullable=False),
    Column("expected", Integer, nullable=False),
    Column("item_grade", String(100)),
    Column("completed_at", DateTime(timezone=True), nullable=False),
    Column("run_size", Integer),  # requests in the run, when the catalog said
    Index("ix_valuation_requests_item", "item_id", "revision"),
)

flags = Table(
    "flags",
    metadata,
    Column("price_point_id", UUID(as_uuid=True), primary_key=True),
    Column("item_id", UUID(as_uuid=True), nullable=False),
    Column("excluded", Boolean, nullable=False),
    Column("reason", Text),
    Column("by", String(200), nullable=False),
    Column("flagged_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

valuations = Table(
    "valuations",
    metadata,
    Column("item_id", UUID(as_uuid=True), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("method", String(100), nullable=False),
    Column("inputs_hash", String(128), nullable=False),
    Column("fmv_usd_cents", BigInteger),
    Column("confidence", Integer, nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("details", JSONB, nullable=False),
    Column("computed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

outbox, inbox = add_messaging_tables(metadata)

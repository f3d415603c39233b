"""Intake's schema: intakes and their revisioned attributions."""

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from fairmarket.common.tables import add_messaging_tables

SCHEMA = "intake"
metadata = MetaData(schema=SCHEMA)

intakes = Table(
    "intakes",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("category", String(20), nullable=False),
    Column("title", String(500)),
    Column("revision", Integer, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

attributions = Table(
    "attributions",
    metadata,
    Column("item_id", UUID(as_uuid=True), ForeignKey(intakes.c.id), primary_key=True),
    Column("revision", Integer, primary_key=True),
    Column("attribution", JSONB, nullable=False),
    Column("title", String(500)),
    Column("reason", String(20), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

photos = Table(
    "photos",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("item_id", UUID(as_uuid=True), ForeignKey(intakes.c.id), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content_type", String(50), nullable=False),
    Column("size", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("item_id", "sha256", name="uq_photos_item_sha256"),
)

outbox, inbox = add_messaging_tables(metadata)

"""Catalog's schema: the item read model, comps, valuations, sources and pricing runs."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from fairmarket.common.tables import add_messaging_tables

SCHEMA = "catalog"
metadata = MetaData(schema=SCHEMA)

items = Table(
    "items",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("category", String(20), nullable=False),
    Column("title", String(500)),
    Column("attribution", JSONB, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("valuation", JSONB),
    Column("valuation_version", Integer),
    Column("fmv_usd_cents", BigInteger),
    Column("confidence", Integer),
    Column("valued_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_items_category", "category"),
)

sources = Table(
    "sources",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("adapter", String(50), nullable=False),
    Column("enabled", Boolean, nullable=False, server_default="true"),
    Column("categories", JSONB, nullable=False),
    Column("reputation", Float, nullable=False, server_default="1.0"),
    Column("cadence_hours", Integer, nullable=False, server_default="168"),
    Column("rate_limit_per_minute", Integer, nullable=False, server_default="60"),
    Column("rules", JSONB, nullable=False, server_default="{}"),
    Column("reprice_after", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

pricing_runs = Table(
    "pricing_runs",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("item_id", UUID(as_uuid=True), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("reason", String(20), nullable=False),
    Column("requested_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("valued_at", DateTime(timezone=True)),
    Column("valuation_version", Integer),
    Index("ix_pricing_runs_item", "item_id", "created_at"),
)

pricing_requests = Table(
    "pricing_requests",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("run_id", UUID(as_uuid=True), nullable=False),
    Column("item_id", UUID(as_uuid=True), nullable=False),
    Column("source_id", UUID(as_uuid=True), nullable=False),
    Column("source_name", String(100), nullable=False),
    Column("status", String(20), nullable=False, server_default="pending"),
    Column("collected", Integer, nullable=False, server_default="0"),
    Column("filtered", Integer, nullable=False, server_default="0"),
    Column("error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("completed_at", DateTime(timezone=True)),
    # the watchdog's: how many times the request was sent, and when it was last sent
    Column("tries", Integer, nullable=False, server_default="1"),
    Column("requested_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_pricing_requests_run", "run_id"),
    Index("ix_pricing_requests_item_source", "item_id", "source_id", "created_at"),
    Index(
        "ix_pricing_requests_pending",
        "requested_at",
        postgresql_where=text("status = 'pending'"),
    ),
)

comps = Table(
    "comps",
    metadata,
    Column("price_point_id", UUID(as_uuid=True), primary_key=True),
    Column("item_id", UUID(as_uuid=True), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("request_id", UUID(as_uuid=True), nullable=False),
    Column("source", String(100), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("title", Text, nullable=False),
    Column("url", Text),
    Column("price", Numeric(14, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("shipping", Numeric(14, 2), nullable=False),
    Column("total_usd_cents", BigInteger, nullable=False),
    Column("observed_at", DateTime(timezone=True), nullable=False),
    Column("sale_format", String(20)),
    Column("condition", String(100)),
    Column("grade", String(100)),
    Column("match_score", Float, nullable=False),
    Column("filtered", Boolean, nullable=False),
    Column("filtered_reason", String(500)),
    Column("excluded", Boolean, nullable=False, server_default="false"),
    Column("excluded_reason", Text),
    Column("excluded_by", String(200)),
    Column("outlier", Boolean, nullable=False, server_default="false"),  # in the latest valuation
    # what the item's latest valuation did with the comp (fairmarket.common.comp_use);
    # null: the comp came after it. Written only from valuation.computed.
    Column("valuation_use", String(30)),
    Column("valuation_weight", Float),  # share of the used comps' weight, when used
    Column("valuation_grade_ratio", Float),  # when another grade was used through a ratio
    Column("valuation_version", Integer),  # the valuation that said so
    Index("ix_comps_item", "item_id", "observed_at"),
)

valuations = Table(
    "valuations",
    metadata,
    Column("item_id", UUID(as_uuid=True), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("fmv_usd_cents", BigInteger),
    Column("confidence", Integer, nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("computed_at", DateTime(timezone=True), nullable=False),
)

products = Table(
    "products",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("item_id", UUID(as_uuid=True), nullable=False),
    Column("title", String(500), nullable=False),
    Column("description", Text),
    Column("policy", JSONB, nullable=False),
    Column("price_usd_cents", BigInteger),
    Column("pending_price_usd_cents", BigInteger),
    Column("pending_reason", Text),
    Column("published", Boolean, nullable=False, server_default="false"),
    Column("published_at", DateTime(timezone=True)),
    # the price the storefront showed when last published or unpublished: a staff republish
    # past the approval threshold from it waits for an admin
    Column("last_published_price_usd_cents", BigInteger),
    Column("created_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_products_item", "item_id"),
    Index("ix_products_published", "published", "published_at"),
)

watches = Table(
    "watches",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("item_id", UUID(as_uuid=True)),
    Column("category", String(20)),
    Column("query", String(200)),
    Column("condition", JSONB, nullable=False),
    Column("url", Text, nullable=False),
    Column("secret", String(100), nullable=False),
    Column("enabled", Boolean, nullable=False, server_default="true"),
    Column("disabled_reason", Text),
    Column("consecutive_failures", Integer, nullable=False, server_default="0"),
    Column("created_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_watches_item", "item_id"),
)

watch_states = Table(
    "watch_states",
    metadata,
    Column("watch_id", UUID(as_uuid=True), primary_key=True),
    Column("item_id", UUID(as_uuid=True), primary_key=True),
    Column("active", Boolean, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("watch_id", UUID(as_uuid=True), nullable=False),
    Column("item_id", UUID(as_uuid=True), nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("status", String(20), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_status_code", Integer),
    Column("last_error", Text),
    Column("traceparent", String(100)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("delivered_at", DateTime(timezone=True)),
    Index("ix_deliveries_watch", "watch_id", "created_at"),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
)

users = Table(  # people who sign in to the console; machines keep using API tokens
    "users",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("email", String(320), nullable=False, unique=True),  # stored lower-cased
    Column("role", String(20), nullable=False),
    Column("password_hash", String(500), nullable=False),
    Column("disabled", Boolean, nullable=False, server_default="false"),
    Column("must_change_password", Boolean, nullable=False, server_default="false"),
    Column("failed_sign_ins", Integer, nullable=False, server_default="0"),
    Column("last_failed_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

sign_in_addresses = Table(  # failed console sign-ins per client address (the throttle)
    "sign_in_addresses",
    metadata,
    Column("address", String(64), primary_key=True),
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("last_failed_at", DateTime(timezone=True), nullable=False),
)

sessions = Table(  # a console sign-in: the cookie's token, by its hash, until sign-out
    "sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_sessions_user", "user_id"),
)

outbox, inbox = add_messaging_tables(metadata)

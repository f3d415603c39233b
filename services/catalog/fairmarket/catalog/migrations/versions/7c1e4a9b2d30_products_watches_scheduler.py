"""products, watches and deliveries; sources.reprice_after for the scheduler

Revision ID: 7c1e4a9b2d30
Revises: 054aa83ee4ee
Create Date: 2026-11-23 06:20:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "7c1e4a9b2d30"
down_revision = "054aa83ee4ee"
branch_labels = None
depends_on = None

NOW = sa.text("now()")
S = "catalog"


def upgrade() -> None:
    op.add_column(
        "sources", sa.Column("reprice_after", sa.DateTime(timezone=True), nullable=True), schema=S
    )
    op.create_table(
        "products",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("item_id", sa.UUID(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("policy", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("price_usd_cents", sa.BigInteger(), nullable=True),
        sa.Column("pending_price_usd_cents", sa.BigInteger(), nullable=True),
        sa.Column("pending_reason", sa.Text(), nullable=True),
        sa.Column("published", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        schema=S,
    )
    op.create_index("ix_products_item", "products", ["item_id"], schema=S)
    op.create_index("ix_products_published", "products", ["published", "published_at"], schema=S)
    op.create_table(
        "watches",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("item_id", sa.UUID(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=True),
        sa.Column("query", sa.String(length=200), nullable=True),
        sa.Column("condition", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        schema=S,
    )
    op.create_index("ix_watches_item", "watches", ["item_id"], schema=S)
    op.create_table(
        "watch_states",
        sa.Column("watch_id", sa.UUID(), nullable=False),
        sa.Column("item_id", sa.UUID(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("watch_id", "item_id"),
        schema=S,
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("watch_id", sa.UUID(), nullable=False),
        sa.Column("item_id", sa.UUID(), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "next_attempt_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False
        ),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("traceparent", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        schema=S,
    )
    op.create_index("ix_deliveries_watch", "deliveries", ["watch_id", "created_at"], schema=S)
    op.create_index("ix_deliveries_due", "deliveries", ["status", "next_attempt_at"], schema=S)


def downgrade() -> None:
    op.drop_table("deliveries", schema=S)
    op.drop_table("watch_states", schema=S)
    op.drop_table("watches", schema=S)
    op.drop_table("products", schema=S)
    op.drop_column("sources", "reprice_after", schema=S)

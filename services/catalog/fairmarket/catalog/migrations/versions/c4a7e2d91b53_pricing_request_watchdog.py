"""pricing_requests.tries and requested_at: the stuck-request watchdog's bookkeeping

Revision ID: c4a7e2d91b53
Revises: 9d2f61c0a7b4
Create Date: 2026-12-02 14:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c4a7e2d91b53"
down_revision = "9d2f61c0a7b4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "pricing_requests",
        sa.Column("tries", sa.Integer(), nullable=False, server_default="1"),
        schema="catalog",
    )
    op.add_column(
        "pricing_requests",
        sa.Column(
            "requested_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema="catalog",
    )
    op.execute("UPDATE catalog.pricing_requests SET requested_at = created_at")
    op.create_index(
        "ix_pricing_requests_pending",
        "pricing_requests",
        ["requested_at"],
        schema="catalog",
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_pricing_requests_pending", "pricing_requests", schema="catalog")
    op.drop_column("pricing_requests", "requested_at", schema="catalog")
    op.drop_column("pricing_requests", "tries", schema="catalog")

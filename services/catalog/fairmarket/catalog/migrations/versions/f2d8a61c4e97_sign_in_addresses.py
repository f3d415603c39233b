"""failed console sign-ins per client address

Revision ID: f2d8a61c4e97
Revises: e5b19c3f7a62
Create Date: 2026-12-02 15:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f2d8a61c4e97"
down_revision = "e5b19c3f7a62"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_addresses",
        sa.Column("address", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        schema="catalog",
    )


def downgrade() -> None:
    op.drop_table("sign_in_addresses", schema="catalog")

"""comps.outlier: set aside by the outlier fences in the item's latest valuation

Revision ID: 9d2f61c0a7b4
Revises: 7c1e4a9b2d30
Create Date: 2026-12-02 05:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "9d2f61c0a7b4"
down_revision = "7c1e4a9b2d30"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "comps",
        sa.Column("outlier", sa.Boolean(), nullable=False, server_default="false"),
        schema="catalog",
    )


def downgrade() -> None:
    op.drop_column("comps", "outlier", schema="catalog")

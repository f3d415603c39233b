"""requests.run_size: how many requests the pricing run has, so a run yields one valuation

Revision ID: 5b8e2d47c913
Revises: 378cf8e7fbc4
Create Date: 2026-12-02 06:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5b8e2d47c913"
down_revision = "378cf8e7fbc4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "requests", sa.Column("run_size", sa.Integer(), nullable=True), schema="valuation"
    )


def downgrade() -> None:
    op.drop_column("requests", "run_size", schema="valuation")

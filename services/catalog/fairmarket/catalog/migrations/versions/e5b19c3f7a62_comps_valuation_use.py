"""comps.valuation_use, _weight, _grade_ratio, _version: what the item's latest valuation
did with each comp (null: the comp came after it)

Revision ID: e5b19c3f7a62
Revises: b3c7e2f1a9d0
Create Date: 2026-12-02 14:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e5b19c3f7a62"
down_revision = "b3c7e2f1a9d0"
branch_labels = None
depends_on = None

COLUMNS = (
    ("valuation_use", sa.String(30)),
    ("valuation_weight", sa.Float()),
    ("valuation_grade_ratio", sa.Float()),
    ("valuation_version", sa.Integer()),
)


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column("comps", sa.Column(name, type_, nullable=True), schema="catalog")


def downgrade() -> None:
    for name, _ in reversed(COLUMNS):
        op.drop_column("comps", name, schema="catalog")

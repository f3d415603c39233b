"""photos: uploaded item photos, checked by content

Revision ID: 5d2f8a1c7e90
Revises: bbf60541594a
Create Date: 2026-11-23 07:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5d2f8a1c7e90"
down_revision = "bbf60541594a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "photos",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("item_id", sa.UUID(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["item_id"], ["intake.intakes.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "sha256", name="uq_photos_item_sha256"),
        schema="intake",
    )


def downgrade() -> None:
    op.drop_table("photos", schema="intake")

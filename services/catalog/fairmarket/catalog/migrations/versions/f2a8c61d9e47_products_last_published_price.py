"""products.last_published_price_usd_cents: the price the storefront last showed, so a
staff republish that moves it past the approval threshold waits for an admin

Revision ID: f2a8c61d9e47
Revises: f2d8a61c4e97
Create Date: 2026-12-02 15:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f2a8c61d9e47"
down_revision = "f2d8a61c4e97"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "products",
        sa.Column("last_published_price_usd_cents", sa.BigInteger(), nullable=True),
        schema="catalog",
    )
    # The best record there is for products published before: their current price.
    op.execute(
        "UPDATE catalog.products SET last_published_price_usd_cents = price_usd_cents "
        "WHERE published_at IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_column("products", "last_published_price_usd_cents", schema="catalog")

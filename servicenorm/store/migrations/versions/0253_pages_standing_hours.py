"""The overview's hourly standings (store/standings.py): what a week ago looked like, read
instead of counted again.

Revision ID: 0253_pages_standing_hours
Revises: 0252_pages_seller_language
Create Date: 2026-12-03 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0253_pages_standing_hours"
down_revision = "0252_pages_seller_language"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "standing_hours",
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("hour", sa.BigInteger(), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("marketplace_id", "hour", "seller_id"),
    )


def downgrade() -> None:
    op.drop_table("standing_hours")

"""The overview's stored standings (store/standings.py, issue 10): each seller's statuses kept
with the instant until which they hold, and per marketplace where the last check left off.

Revision ID: 0260_norms_seller_standings
Revises: 0253_pages_standing_hours
Create Date: 2026-12-03 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0260_norms_seller_standings"
down_revision = "0253_pages_standing_hours"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seller_standings",
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("policy", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.BigInteger(), nullable=False),
        sa.Column("valid_until", sa.BigInteger(), nullable=False),
        sa.Column("statuses", sa.String(length=400), nullable=False),
        sa.Column("questions", sa.BigInteger(), nullable=False),
        sa.Column("orders", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("marketplace_id", "seller_id"),
    )
    op.create_table(
        "standing_marks",
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("as_of", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("marketplace_id"),
    )


def downgrade() -> None:
    op.drop_table("standing_marks")
    op.drop_table("seller_standings")

"""Aggregates of the evidence items per seller and local day, and per marketplace, day and
category (see servicenorm/store/aggregates.py), built from the items already stored.

Revision ID: 0230_norms_aggregates
Revises: 0220_live_items
Create Date: 2026-12-03 08:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0230_norms_aggregates"
down_revision = "0220_live_items"
branch_labels = None
depends_on = None

SELLER_DAYS = {
    "question_days": ("on_time", "late"),
    "turn_days": ("on_time", "late"),
    "call_days": ("attempts", "answered"),
    "review_days": ("count", "total"),
}


def upgrade() -> None:
    for table, counts in SELLER_DAYS.items():
        op.create_table(
            table,
            sa.Column("seller_id", sa.String(length=100), nullable=False),
            sa.Column("day", sa.Integer(), nullable=False),
            *(sa.Column(c, sa.Integer(), nullable=False) for c in counts),
            sa.Column("settled", sa.BigInteger(), nullable=False),
            sa.PrimaryKeyConstraint("seller_id", "day", name=op.f(f"pk_{table}")),
        )
    op.create_table(
        "order_days",
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=200), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("tracked", sa.Integer(), nullable=False),
        sa.Column("late", sa.Integer(), nullable=False),
        sa.Column("settled", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("seller_id", "day", "category", name=op.f("pk_order_days")),
    )
    op.create_table(
        "market_order_days",
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=200), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.Column("settled", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "marketplace_id", "day", "category", name=op.f("pk_market_order_days")
        ),
    )
    # what is still open (read one by one, its status a matter of time), by seller and arrival
    for name, table, at, where in (
        ("ix_question_items_open_seller", "question_items", "received_at", "first_reply_at"),
        ("ix_turn_items_open_seller", "turn_items", "received_at", "replied_at"),
    ):
        op.create_index(
            name,
            table,
            ["seller_id", at],
            sqlite_where=sa.text(f"{where} IS NULL"),
            postgresql_where=sa.text(f"{where} IS NULL"),
        )
    op.create_index(
        "ix_orders_open_seller",
        "orders",
        ["seller_id", "placed_at"],
        sqlite_where=sa.text("shipped_at IS NULL AND cancelled_at IS NULL"),
        postgresql_where=sa.text("shipped_at IS NULL AND cancelled_at IS NULL"),
    )
    # a store upgraded with items: its aggregates from them (the writer keeps them from now)
    from servicenorm.helpdesk.projection.aggregates import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_orders_open_seller", table_name="orders")
    op.drop_index("ix_turn_items_open_seller", table_name="turn_items")
    op.drop_index("ix_question_items_open_seller", table_name="question_items")
    for table in ("market_order_days", "order_days", *SELLER_DAYS):
        op.drop_table(table)

"""Evidence items kept as events arrive: questions, buyer turns, call attempts, reviews; orders
indexed by seller and placement; a seller's phone-hours and shop-status events indexed apart.
Items of a store that existed before are built by ingesting its event log again (`serve`
re-reads nothing by itself): an upgraded store starts with no items.

Revision ID: 0220_live_items
Revises: 0210_hardauth_sessions
Create Date: 2026-12-03 06:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0220_live_items"
down_revision = "0210_hardauth_sessions"
branch_labels = None
depends_on = None

STATUS = "type IN ('phone_hours_set', 'shop_closed', 'shop_reopened')"


def upgrade() -> None:
    op.create_table(
        "question_items",
        sa.Column("conversation_id", sa.String(length=100), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("order_id", sa.String(length=100), nullable=True),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.Column("deadline", sa.BigInteger(), nullable=False),
        sa.Column("first_reply_at", sa.BigInteger(), nullable=True),
        sa.Column("first_reply_by", sa.String(length=10), nullable=True),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_question_items")),
    )
    op.create_index(
        "ix_question_items_seller_received", "question_items", ["seller_id", "received_at"]
    )
    op.create_index(op.f("ix_question_items_order_id"), "question_items", ["order_id"])
    op.create_index(
        "ix_question_items_open_due",
        "question_items",
        ["deadline"],
        sqlite_where=sa.text("first_reply_at IS NULL"),
        postgresql_where=sa.text("first_reply_at IS NULL"),
    )
    op.create_table(
        "turn_items",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("conversation_id", sa.String(length=100), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.Column("deadline", sa.BigInteger(), nullable=False),
        sa.Column("replied_at", sa.BigInteger(), nullable=True),
        sa.Column("replied_by", sa.String(length=10), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_turn_items")),
    )
    op.create_index(op.f("ix_turn_items_conversation_id"), "turn_items", ["conversation_id"])
    op.create_index("ix_turn_items_seller_received", "turn_items", ["seller_id", "received_at"])
    op.create_table(
        "call_items",
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("in_hours", sa.Boolean(), nullable=False),
        sa.Column("shop_closed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_call_items")),
    )
    op.create_index("ix_call_items_seller_at", "call_items", ["seller_id", "at"])
    op.create_table(
        "review_items",
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("order_id", sa.String(length=100), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_review_items")),
    )
    op.create_index("ix_review_items_seller_at", "review_items", ["seller_id", "at"])
    op.create_index("ix_orders_seller_placed", "orders", ["seller_id", "placed_at"])
    op.create_index(
        "ix_events_seller_status",
        "events",
        ["seller_id", "at"],
        sqlite_where=sa.text(STATUS),
        postgresql_where=sa.text(STATUS),
    )


def downgrade() -> None:
    op.drop_index("ix_events_seller_status", table_name="events")
    op.drop_index("ix_orders_seller_placed", table_name="orders")
    for table in ("review_items", "call_items", "turn_items", "question_items"):
        op.drop_table(table)

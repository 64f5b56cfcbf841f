"""Indexes an enforcement round reads what changed since its watermark by: events by the
instant they were received, open buyer turns by deadline, open orders by ship-by (open
questions have theirs, `ix_question_items_open_due`).

Revision ID: 0251_decisions_round_indexes
Revises: 0250_norms_waiting_index
Create Date: 2026-12-03 12:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0251_decisions_round_indexes"
down_revision = "0250_norms_waiting_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_received_at", "events", ["received_at"])
    open_turn = sa.text("replied_at IS NULL")
    op.create_index(
        "ix_turn_items_open_due",
        "turn_items",
        ["deadline"],
        sqlite_where=open_turn,
        postgresql_where=open_turn,
    )
    open_order = sa.text("shipped_at IS NULL AND cancelled_at IS NULL")
    op.create_index(
        "ix_orders_open_due",
        "orders",
        ["ship_by"],
        sqlite_where=open_order,
        postgresql_where=open_order,
    )


def downgrade() -> None:
    op.drop_index("ix_orders_open_due", table_name="orders")
    op.drop_index("ix_turn_items_open_due", table_name="turn_items")
    op.drop_index("ix_events_received_at", table_name="events")

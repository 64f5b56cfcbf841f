"""The answered conversations waiting for the buyer, per seller (the queue's "waiting for
the buyer" count and list): a partial index, so the count reads those conversations only, not
every conversation the seller ever had (5,861 for the 100-seller demo's busiest seller).

Revision ID: 0250_norms_waiting_index
Revises: 0240_hardin_event_keys
Create Date: 2026-12-03 12:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0250_norms_waiting_index"
down_revision = "0240_hardin_event_keys"
branch_labels = None
depends_on = None

WAITING = "deadline IS NULL AND closed_at IS NULL AND first_reply_at IS NOT NULL"


def upgrade() -> None:
    op.create_index(
        "ix_conversations_seller_waiting",
        "conversations",
        ["seller_id", "last_message_at"],
        unique=False,
        sqlite_where=sa.text(WAITING),
        postgresql_where=sa.text(WAITING),
    )


def downgrade() -> None:
    op.drop_index("ix_conversations_seller_waiting", table_name="conversations")

"""Case deadlines: each buyer case's takeover deadline, stored when enforcement first sees
the case, so a round scans the overdue ones by index instead of re-reading every case.

Revision ID: 0120_base_case_deadlines
Revises: 0110_decisions_statements
Create Date: 2026-12-03 09:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0120_base_case_deadlines"
down_revision = "0110_decisions_statements"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enforce_case_deadlines",
        sa.Column("marketplace", sa.String(length=100), nullable=False),
        sa.Column("case_id", sa.String(length=100), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("order_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("trigger", sa.String(length=30), nullable=False),
        sa.Column("opened_at", sa.BigInteger(), nullable=False),
        sa.Column("due_at", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("settled_at", sa.BigInteger(), nullable=True),
        sa.Column("recorded_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("marketplace", "case_id", name=op.f("pk_enforce_case_deadlines")),
        sa.UniqueConstraint("event_id", name=op.f("uq_enforce_case_deadlines_event_id")),
    )
    with op.batch_alter_table("enforce_case_deadlines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enforce_case_deadlines_due", ["marketplace", "state", "due_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("enforce_case_deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_enforce_case_deadlines_due")
    op.drop_table("enforce_case_deadlines")

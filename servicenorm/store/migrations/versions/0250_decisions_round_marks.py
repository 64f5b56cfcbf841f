"""Enforcement round watermarks: per marketplace, the last round's as-of and the ingest instant
up to which it read the event log, so the next round finds what changed by index
(servicenorm/enforce/round_marks.py).

Revision ID: 0250_decisions_round_marks
Revises: 0120_base_case_deadlines
Create Date: 2026-12-03 12:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0250_decisions_round_marks"
down_revision = "0120_base_case_deadlines"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enforce_round_marks",
        sa.Column("marketplace", sa.String(length=100), nullable=False),
        sa.Column("as_of", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=True),
        sa.Column("rounds", sa.Integer(), nullable=False),
        sa.Column("concerned", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("marketplace", name=op.f("pk_enforce_round_marks")),
    )


def downgrade() -> None:
    op.drop_table("enforce_round_marks")

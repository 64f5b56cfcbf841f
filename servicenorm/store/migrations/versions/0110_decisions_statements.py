"""Statements of reasons, notice periods and complaints (P2B Art. 4, 11; DSA Art. 17, 20):
`enforce_actions` learns when a decision was stated (a termination takes effect after its
notice period) and an Art. 4(4) exception; statements and complaints get their tables.

Revision ID: 0110_decisions_statements
Revises: 0100_enforce
Create Date: 2026-12-03 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision = "0110_decisions_statements"
down_revision = "0100_enforce"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enforce_actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stated_at", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("notice_exception", JSON_DOC, nullable=True))
    op.create_table(
        "enforce_statements",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("action_id", sa.String(length=32), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("policy", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("reason_code", sa.String(length=60), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("stated_at", sa.BigInteger(), nullable=False),
        sa.Column("start_at", sa.BigInteger(), nullable=False),
        sa.Column("end_at", sa.BigInteger(), nullable=True),
        sa.Column("complaint_until", sa.BigInteger(), nullable=False),
        sa.Column("automated_detection", sa.Boolean(), nullable=False),
        sa.Column("automated_decision", sa.String(length=10), nullable=False),
        sa.Column("dsa", sa.Boolean(), nullable=False),
        sa.Column("content", JSON_DOC, nullable=False),
        sa.Column("recorded_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforce_statements")),
        sa.UniqueConstraint("action_id", name=op.f("uq_enforce_statements_action_id")),
    )
    with op.batch_alter_table("enforce_statements", schema=None) as batch_op:
        batch_op.create_index("ix_enforce_statements_stated", ["stated_at"], unique=False)
    op.create_table(
        "enforce_complaints",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("action_id", sa.String(length=32), nullable=False),
        sa.Column("statement_id", sa.String(length=32), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("policy", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("reason_code", sa.String(length=60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.String(length=100), nullable=False),
        sa.Column("filed_at", sa.BigInteger(), nullable=False),
        sa.Column("due_at", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.BigInteger(), nullable=True),
        sa.Column("recorded_at", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforce_complaints")),
    )
    with op.batch_alter_table("enforce_complaints", schema=None) as batch_op:
        batch_op.create_index("ix_enforce_complaints_state_due", ["state", "due_at"], unique=False)
        batch_op.create_index("ix_enforce_complaints_action", ["action_id"], unique=False)


def downgrade() -> None:
    op.drop_table("enforce_complaints")
    op.drop_table("enforce_statements")
    with op.batch_alter_table("enforce_actions", schema=None) as batch_op:
        batch_op.drop_column("notice_exception")
        batch_op.drop_column("stated_at")

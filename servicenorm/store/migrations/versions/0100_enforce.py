"""Enforcement and notification tables: evaluation runs, findings, ladder positions, actions
(restrictions) with their audit trail, badges, takeovers and the cost ledger, absences, the
e-mail outbox and banners.

A branch of its own (label `enforce`), independent of the helpdesk's history: apply every
branch with `alembic upgrade heads`. Its tables name sellers and conversations by id without
foreign keys (see servicenorm/enforce/tables.py), so it depends on no helpdesk revision.
Instants are int64 epoch microseconds (servicenorm.store.types.Instant).

Revision ID: 0100_enforce
Revises:
Create Date: 2026-11-22 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision = "0100_enforce"
down_revision = None
branch_labels = ("enforce",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enforce_absences",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("policy", sa.String(length=300), nullable=False),
        sa.Column("start", sa.String(length=10), nullable=False),
        sa.Column("end", sa.String(length=10), nullable=False),
        sa.Column("announced_at", sa.BigInteger(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("notice_needed_by", sa.BigInteger(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("coverage", sa.String(length=10), nullable=False),
        sa.Column("recorded_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforce_absences")),
        sa.UniqueConstraint("key", name=op.f("uq_enforce_absences_key")),
    )
    with op.batch_alter_table("enforce_absences", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enforce_absences_seller_id"), ["seller_id"], unique=False
        )

    op.create_table(
        "enforce_actions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("policy", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reason_code", sa.String(length=60), nullable=False),
        sa.Column("findings", JSON_DOC, nullable=False),
        sa.Column("parent_id", sa.String(length=32), nullable=True),
        sa.Column("start_at", sa.BigInteger(), nullable=False),
        sa.Column("end_at", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("lifted_at", sa.BigInteger(), nullable=True),
        sa.Column("lifted_by", sa.String(length=100), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforce_actions")),
        sa.UniqueConstraint("key", name=op.f("uq_enforce_actions_key")),
    )
    with op.batch_alter_table("enforce_actions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enforce_actions_seller_start", ["seller_id", "start_at"], unique=False
        )
        batch_op.create_index("ix_enforce_actions_state_end", ["state", "end_at"], unique=False)

    op.create_table(
        "enforce_audit",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.String(length=100), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("detail", JSON_DOC, nullable=False),
        sa.Column("recorded_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforce_audit")),
    )
    with op.batch_alter_table("enforce_audit", schema=None) as batch_op:
        batch_op.create_index("ix_enforce_audit_seller_at", ["seller_id", "at"], unique=False)
        batch_op.create_index("ix_enforce_audit_subject", ["subject", "subject_id"], unique=False)

    op.create_table(
        "enforce_badges",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("badge", sa.String(length=100), nullable=False),
        sa.Column("policy", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=True),
        sa.Column("since", sa.BigInteger(), nullable=True),
        sa.Column("pause_until", sa.BigInteger(), nullable=True),
        sa.Column("excluded", sa.Boolean(), nullable=False),
        sa.Column("last_met", sa.Boolean(), nullable=False),
        sa.Column("last_check", JSON_DOC, nullable=False),
        sa.Column("evaluated_as_of", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforce_badges")),
        sa.UniqueConstraint("seller_id", "badge", name="uq_enforce_badges_seller"),
    )
    op.create_table(
        "enforce_findings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("policy", sa.String(length=300), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("norm", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("threshold", sa.Double(), nullable=False),
        sa.Column("comparison", sa.String(length=10), nullable=False),
        sa.Column("window_from", sa.String(length=10), nullable=False),
        sa.Column("window_to", sa.String(length=10), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("in_score", sa.Boolean(), nullable=False),
        sa.Column("evidence", JSON_DOC, nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforce_findings")),
        sa.UniqueConstraint("key", name=op.f("uq_enforce_findings_key")),
    )
    with op.batch_alter_table("enforce_findings", schema=None) as batch_op:
        batch_op.create_index("ix_enforce_findings_seller_at", ["seller_id", "at"], unique=False)

    op.create_table(
        "enforce_ladders",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("policy", sa.String(length=300), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("last_step_at", sa.BigInteger(), nullable=True),
        sa.Column("contacted_at", sa.BigInteger(), nullable=True),
        sa.Column("last_finding_at", sa.BigInteger(), nullable=True),
        sa.Column("evaluated_as_of", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforce_ladders")),
        sa.UniqueConstraint("seller_id", "policy", name="uq_enforce_ladders_seller"),
    )
    op.create_table(
        "enforce_ledger",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("takeover_id", sa.String(length=32), nullable=True),
        sa.Column("amount", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforce_ledger")),
        sa.UniqueConstraint("key", name=op.f("uq_enforce_ledger_key")),
    )
    with op.batch_alter_table("enforce_ledger", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enforce_ledger_seller_id"), ["seller_id"], unique=False
        )

    op.create_table(
        "enforce_runs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("marketplace", sa.String(length=100), nullable=False),
        sa.Column("cadence", sa.String(length=10), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("policy", sa.String(length=300), nullable=False),
        sa.Column("as_of", sa.BigInteger(), nullable=False),
        sa.Column("window_from", sa.String(length=10), nullable=False),
        sa.Column("window_to", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("counts", JSON_DOC, nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforce_runs")),
        sa.UniqueConstraint("marketplace", "cadence", "period", name="uq_enforce_runs_period"),
    )
    op.create_table(
        "enforce_takeovers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("marketplace", sa.String(length=100), nullable=False),
        sa.Column("conversation_id", sa.String(length=100), nullable=True),
        sa.Column("order_id", sa.String(length=100), nullable=True),
        sa.Column("case_id", sa.String(length=100), nullable=True),
        sa.Column("trigger", sa.String(length=30), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("agent_id", sa.String(length=100), nullable=True),
        sa.Column("assigned_at", sa.BigInteger(), nullable=True),
        sa.Column("resolution", sa.String(length=30), nullable=True),
        sa.Column("resolved_at", sa.BigInteger(), nullable=True),
        sa.Column("recorded_at", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforce_takeovers")),
        sa.UniqueConstraint("key", name=op.f("uq_enforce_takeovers_key")),
    )
    with op.batch_alter_table("enforce_takeovers", schema=None) as batch_op:
        batch_op.create_index("ix_enforce_takeovers_seller", ["seller_id", "at"], unique=False)
        batch_op.create_index("ix_enforce_takeovers_state_at", ["state", "at"], unique=False)

    op.create_table(
        "notify_banners",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=False),
        sa.Column("page", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("template", sa.String(length=60), nullable=False),
        sa.Column("context", JSON_DOC, nullable=False),
        sa.Column("start_at", sa.BigInteger(), nullable=False),
        sa.Column("end_at", sa.BigInteger(), nullable=True),
        sa.Column("cleared_at", sa.BigInteger(), nullable=True),
        sa.Column("recorded_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_banners")),
        sa.UniqueConstraint("key", name=op.f("uq_notify_banners_key")),
    )
    with op.batch_alter_table("notify_banners", schema=None) as batch_op:
        batch_op.create_index("ix_notify_banners_seller", ["seller_id", "start_at"], unique=False)

    op.create_table(
        "notify_outbox",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("seller_id", sa.String(length=100), nullable=True),
        sa.Column("to_addr", sa.String(length=320), nullable=True),
        sa.Column("template", sa.String(length=60), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("context", JSON_DOC, nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.BigInteger(), nullable=False),
        sa.Column("lease_until", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_notify_outbox_key")),
    )
    with op.batch_alter_table("notify_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_notify_outbox_due", ["state", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notify_outbox_seller_id"), ["seller_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notify_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notify_outbox_seller_id"))
        batch_op.drop_index("ix_notify_outbox_due")

    op.drop_table("notify_outbox")
    with op.batch_alter_table("notify_banners", schema=None) as batch_op:
        batch_op.drop_index("ix_notify_banners_seller")

    op.drop_table("notify_banners")
    with op.batch_alter_table("enforce_takeovers", schema=None) as batch_op:
        batch_op.drop_index("ix_enforce_takeovers_state_at")
        batch_op.drop_index("ix_enforce_takeovers_seller")

    op.drop_table("enforce_takeovers")
    op.drop_table("enforce_runs")
    with op.batch_alter_table("enforce_ledger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enforce_ledger_seller_id"))

    op.drop_table("enforce_ledger")
    op.drop_table("enforce_ladders")
    with op.batch_alter_table("enforce_findings", schema=None) as batch_op:
        batch_op.drop_index("ix_enforce_findings_seller_at")

    op.drop_table("enforce_findings")
    op.drop_table("enforce_badges")
    with op.batch_alter_table("enforce_audit", schema=None) as batch_op:
        batch_op.drop_index("ix_enforce_audit_subject")
        batch_op.drop_index("ix_enforce_audit_seller_at")

    op.drop_table("enforce_audit")
    with op.batch_alter_table("enforce_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_enforce_actions_state_end")
        batch_op.drop_index("ix_enforce_actions_seller_start")

    op.drop_table("enforce_actions")
    with op.batch_alter_table("enforce_absences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enforce_absences_seller_id"))

    op.drop_table("enforce_absences")

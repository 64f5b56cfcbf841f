"""Enforcement rows: evaluation runs, findings, ladder positions, actions (restrictions
included), the audit trail, badges, takeovers with their cost ledger, and absences.

Every transition is a row stamped with its *logical* time (`at`: the evaluation's as-of, the
missed deadline, the lift) next to the wall-clock `recorded_at`. Every row that a
worker changes has a `version` and changes only through compare-and-set. Unique
keys make a second run of the same evaluation insert nothing (docs/enforcement.md).

Sellers and conversations are referenced by id without foreign keys: an evaluation can run
on an event file for sellers the helpdesk store has never seen (`evaluate --apply`), and the
enforcement migration stays a branch of its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from servicenorm.store.base import Base
from servicenorm.store.types import Document, Instant


class EvaluationRun(Base):
    """One scheduled or manual evaluation (marketplace, cadence, period): done once."""

    __tablename__ = "enforce_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    marketplace: Mapped[str] = mapped_column(String(100))
    cadence: Mapped[str] = mapped_column(String(10))  # day, week, month, manual
    period: Mapped[str] = mapped_column(String(40))  # e.g. 2026-W10, 2026-03, or the as-of
    policy: Mapped[str] = mapped_column(String(300))
    as_of: Mapped[datetime] = mapped_column(Instant)
    window_from: Mapped[str] = mapped_column(String(10))
    window_to: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10))  # running, done, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    counts: Mapped[dict[str, Any]] = mapped_column(Document, default=dict)
    started_at: Mapped[datetime] = mapped_column(Instant)
    finished_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        UniqueConstraint("marketplace", "cadence", "period", name="uq_enforce_runs_period"),
    )


class FindingRow(Base):
    __tablename__ = "enforce_findings"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(
        String(400), unique=True
    )  # policy|Finding.key: one row per finding
    policy: Mapped[str] = mapped_column(String(300))
    seller_id: Mapped[str] = mapped_column(String(100))
    norm: Mapped[str] = mapped_column(String(60))
    value: Mapped[float]
    threshold: Mapped[float]
    comparison: Mapped[str] = mapped_column(String(10))
    window_from: Mapped[str] = mapped_column(String(10))
    window_to: Mapped[str] = mapped_column(String(10))
    detail: Mapped[str] = mapped_column(String(200), default="")
    in_score: Mapped[bool] = mapped_column(Boolean, default=True)
    evidence: Mapped[list[str]] = mapped_column(Document, default=list)
    at: Mapped[datetime] = mapped_column(Instant)  # the evaluation's as-of
    recorded_at: Mapped[datetime] = mapped_column(Instant)

    __table_args__ = (Index("ix_enforce_findings_seller_at", "seller_id", "at"),)


class LadderPosition(Base):
    """Where a seller stands on its marketplace's ladder; advanced only by compare-and-set."""

    __tablename__ = "enforce_ladders"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seller_id: Mapped[str] = mapped_column(String(100))
    policy: Mapped[str] = mapped_column(String(300))
    level: Mapped[int] = mapped_column(
        Integer, default=-1
    )  # index of the last step taken; -1: none
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    last_step_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    contacted_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    last_finding_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    evaluated_as_of: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (UniqueConstraint("seller_id", "policy", name="uq_enforce_ladders_seller"),)


class Action(Base):
    """A notification, education, restriction or suspension taken against a seller.

    `end_at` None means "until lifted". A restriction is in force at t when
    start_at <= t < end_at (or no end) and it was not lifted at or before t."""

    __tablename__ = "enforce_actions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)  # idempotency: one action per cause
    seller_id: Mapped[str] = mapped_column(String(100))
    policy: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30))
    origin: Mapped[str] = mapped_column(String(20))  # ladder, new_shop, linked, operator
    reason: Mapped[str] = mapped_column(Text)
    reason_code: Mapped[str] = mapped_column(
        String(60)
    )  # norms, terms_violation, manipulation, linked_shop...
    findings: Mapped[list[str]] = mapped_column(Document, default=list)  # finding keys behind it
    parent_id: Mapped[str | None] = mapped_column(
        String(32), nullable=True
    )  # the shop's action a linked one follows
    start_at: Mapped[datetime] = mapped_column(Instant)
    end_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    # active, lifted, expired, cancelled (lifted in its notice period), done (notify/educate)
    state: Mapped[str] = mapped_column(String(10))
    lifted_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    lifted_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lift_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(100), default="system")
    recorded_at: Mapped[datetime] = mapped_column(Instant)
    # when it was decided and stated; start_at is later for a termination in its notice period
    stated_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    # P2B Art. 4(4): {"ground": ..., "evidence": [...]} when a termination has no notice period
    notice_exception: Mapped[dict[str, Any] | None] = mapped_column(Document, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        Index("ix_enforce_actions_seller_start", "seller_id", "start_at"),
        Index("ix_enforce_actions_state_end", "state", "end_at"),
    )


class AuditEntry(Base):
    """Append-only: what happened, to whom, at which logical time, by whom, and why."""

    __tablename__ = "enforce_audit"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seller_id: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(
        String(20)
    )  # action, badge, takeover, absence, finding, ladder
    subject_id: Mapped[str] = mapped_column(String(100))
    event: Mapped[str] = mapped_column(
        String(40)
    )  # started, lifted, expired, awarded, removed, ...
    at: Mapped[datetime] = mapped_column(Instant)
    actor: Mapped[str] = mapped_column(String(100))  # system or an account id
    detail: Mapped[dict[str, Any]] = mapped_column(Document, default=dict)
    recorded_at: Mapped[datetime] = mapped_column(Instant)

    __table_args__ = (
        Index("ix_enforce_audit_seller_at", "seller_id", "at"),
        Index("ix_enforce_audit_subject", "subject", "subject_id"),
    )


class BadgeRow(Base):
    """A shop's badge (one per shop and badge: linked shops each have their own, R4.5)."""

    __tablename__ = "enforce_badges"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seller_id: Mapped[str] = mapped_column(String(100))
    badge: Mapped[str] = mapped_column(String(100))
    policy: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10))  # none, awarded, removed
    reason: Mapped[str | None] = mapped_column(String(30), nullable=True)
    since: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    pause_until: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    last_met: Mapped[bool] = mapped_column(Boolean, default=False)
    last_check: Mapped[dict[str, Any]] = mapped_column(Document, default=dict)
    evaluated_as_of: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (UniqueConstraint("seller_id", "badge", name="uq_enforce_badges_seller"),)


class Takeover(Base):
    """R4.6: the platform took a conversation (or a case without one) over."""

    __tablename__ = "enforce_takeovers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # conv:<id> or case:<id>
    seller_id: Mapped[str] = mapped_column(String(100))
    marketplace: Mapped[str] = mapped_column(String(100))
    conversation_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    order_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    case_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    trigger: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10))  # queued, assigned, resolved
    at: Mapped[datetime] = mapped_column(Instant)  # logical: the missed deadline, the report
    agent_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    assigned_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    resolution: Mapped[str | None] = mapped_column(String(30), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(Instant)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        Index("ix_enforce_takeovers_state_at", "state", "at"),
        Index("ix_enforce_takeovers_seller", "seller_id", "at"),
    )


class CaseDeadline(Base):
    """A buyer's case (`case_opened`) as enforcement keeps it: when the platform takes it over
    if the seller leaves it open (its deadline from the clock kernel, computed once when the
    case is first seen), and how it ended. Keyed by marketplace and case: two marketplaces may
    use the same case id."""

    __tablename__ = "enforce_case_deadlines"

    marketplace: Mapped[str] = mapped_column(String(100), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(200), unique=True)  # the case_opened event
    seller_id: Mapped[str] = mapped_column(String(100))
    order_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    trigger: Mapped[str] = mapped_column(String(30))
    opened_at: Mapped[datetime] = mapped_column(Instant)
    due_at: Mapped[datetime] = mapped_column(Instant)  # a dispute at once, else the allowance
    state: Mapped[str] = mapped_column(String(10))  # open, closed (in time), taken
    settled_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(Instant)

    __table_args__ = (Index("ix_enforce_case_deadlines_due", "marketplace", "state", "due_at"),)


class LedgerEntry(Base):
    """A cost charged to a seller (a takeover's handling); one per takeover."""

    __tablename__ = "enforce_ledger"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    seller_id: Mapped[str] = mapped_column(String(100), index=True)
    takeover_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    amount: Mapped[str] = mapped_column(String(40))  # a decimal string, exact
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(Instant)
    recorded_at: Mapped[datetime] = mapped_column(Instant)


class Absence(Base):
    """R4.7: an announced absence, its notice judged with the working-time clock."""

    __tablename__ = "enforce_absences"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # the announcing event's id
    seller_id: Mapped[str] = mapped_column(String(100), index=True)
    policy: Mapped[str] = mapped_column(String(300))
    start: Mapped[str] = mapped_column(String(10))  # local dates, inclusive
    end: Mapped[str] = mapped_column(String(10))
    announced_at: Mapped[datetime] = mapped_column(Instant)
    working_days: Mapped[int] = mapped_column(Integer)
    notice_needed_by: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    coverage: Mapped[str] = mapped_column(String(10))  # staff, platform, none
    recorded_at: Mapped[datetime] = mapped_column(Instant)


class Statement(Base):
    """A statement of reasons (P2B Art. 4(1), 4(5); DSA Art. 17): given with the decision it
    explains, in the same transaction, on a durable medium (the outbox) and kept here."""

    __tablename__ = "enforce_statements"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    action_id: Mapped[str] = mapped_column(String(32), unique=True)
    seller_id: Mapped[str] = mapped_column(String(100))
    policy: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30))
    reason_code: Mapped[str] = mapped_column(String(60))
    locale: Mapped[str] = mapped_column(String(5))
    stated_at: Mapped[datetime] = mapped_column(Instant)
    start_at: Mapped[datetime] = mapped_column(Instant)
    end_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    complaint_until: Mapped[datetime] = mapped_column(Instant)
    automated_detection: Mapped[bool] = mapped_column(Boolean)
    automated_decision: Mapped[str] = mapped_column(String(10))  # fully, partially, not
    dsa: Mapped[bool] = mapped_column(Boolean)  # in DSA scope: exported to the database
    content: Mapped[dict[str, Any]] = mapped_column(Document, default=dict)
    recorded_at: Mapped[datetime] = mapped_column(Instant)

    __table_args__ = (Index("ix_enforce_statements_stated", "stated_at"),)


class Complaint(Base):
    """A complaint against a decision (DSA Art. 20; P2B Art. 11), decided by a person."""

    __tablename__ = "enforce_complaints"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    action_id: Mapped[str] = mapped_column(String(32))
    statement_id: Mapped[str] = mapped_column(String(32))
    seller_id: Mapped[str] = mapped_column(String(100))
    policy: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30))  # the decision's kind and reason: its type
    reason_code: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(100))
    filed_at: Mapped[datetime] = mapped_column(Instant)
    due_at: Mapped[datetime] = mapped_column(Instant)  # the handling deadline, in working time
    state: Mapped[str] = mapped_column(String(10))  # open, decided
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    reasons: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(Instant)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        Index("ix_enforce_complaints_state_due", "state", "due_at"),
        Index("ix_enforce_complaints_action", "action_id"),
    )


class RoundMark(Base):
    """One marketplace's enforcement watermark (`round_marks`): the last round's as-of and the
    ingest instant up to which it read the event log."""

    __tablename__ = "enforce_round_marks"

    marketplace: Mapped[str] = mapped_column(String(100), primary_key=True)
    as_of: Mapped[datetime] = mapped_column(Instant)  # the last round's now
    received: Mapped[datetime | None] = mapped_column(Instant, nullable=True)  # log seen up to
    rounds: Mapped[int] = mapped_column(Integer, default=0)
    concerned: Mapped[int] = mapped_column(Integer, default=0)  # sellers the last round found


__all__ = [
    "Absence",
    "Action",
    "AuditEntry",
    "BadgeRow",
    "CaseDeadline",
    "Complaint",
    "EvaluationRun",
    "FindingRow",
    "LadderPosition",
    "LedgerEntry",
    "RoundMark",
    "Statement",
    "Takeover",
]

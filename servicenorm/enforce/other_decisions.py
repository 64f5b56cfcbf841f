"""Decisions that restrict a seller without being a restriction in force: a badge removed and
a takeover's cost charged. Each is recorded as an action (state `done`) with its statement of
reasons, so the seller reads it and can complain like any other decision (P2B Art. 4; DSA
Art. 17, 20); the complaint's reversal gives the badge back or credits the charge."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from servicenorm.enforce.actions import in_force, start_action
from servicenorm.enforce.enforce_tables import Action, BadgeRow, LedgerEntry, Takeover
from servicenorm.enforce.notices import Notifier
from servicenorm.enforce.statements import issue

BADGE_REMOVED = "badge_removed"
TAKEOVER_CHARGED = "takeover_charged"


def _unpaid_bills(n: Notifier, seller_id: str, at: datetime) -> list[str]:
    from servicenorm.store.tables import EventRow

    issued: dict[str, Any] = {}
    paid: set[str] = set()
    for kind, payload in n.s.execute(
        select(EventRow.type, EventRow.payload).where(
            EventRow.seller_id == seller_id,
            EventRow.type.in_(("bill_issued", "bill_paid")),
            EventRow.at <= at,
        )
    ).all():
        if kind == "bill_issued":
            issued[str(payload.get("bill"))] = payload.get("due")
        else:
            paid.add(str(payload.get("bill")))
    return [f"bill {b} due {due}" for b, due in sorted(issued.items()) if b not in paid]


def badge_removal(
    n: Notifier,
    row: BadgeRow,
    reason: str,
    at: datetime,
    actor: str,
    check: dict[str, Any],
    note: str = "",
    evidence: Sequence[str] = (),
) -> Action | None:
    """The removal of a shop's badge as a decision with its statement; the facts are the
    failed criteria and their figures, the overdue bills, the restrictions in force, or what
    the operator states with its evidence."""
    if n.policy.decisions is None:
        return None
    if reason == "criteria":
        failed = list(check.get("failed", []))
        text = f"{row.badge}: criteria not met at the evaluation of {at.date().isoformat()}"
        ids = [f"{k} {check.get(k)}" for k in failed]
    elif reason == "unpaid_bill":
        text = f"{row.badge}: an overdue bill"
        ids = list(evidence) or _unpaid_bills(n, row.seller_id, at)
    elif reason == "account_restricted":
        text = f"{row.badge}: the account's privileges are restricted"
        ids = [f"restriction {a.id} ({a.kind})" for a in in_force(n.s, at, [row.seller_id])]
    else:
        text, ids = note or f"{row.badge}: {reason.replace('_', ' ')}", list(evidence)
    a = start_action(
        n.s,
        key=f"{n.policy.name}:{row.seller_id}:{BADGE_REMOVED}:{row.badge}:{at.isoformat()}",
        seller_id=row.seller_id,
        policy=n.policy.name,
        kind=BADGE_REMOVED,
        origin="badge" if actor == "system" else "operator",
        reason=text,
        reason_code=reason if reason in ("terms_violation", "manipulation") else "norms",
        start=at,
        end=None,
        actor=actor,
        now=n.now,
    )
    if a is not None:
        issue(n, a, [{"text": text, "ids": ids}])
    return a


def takeover_charge(n: Notifier, t: Takeover, entry: LedgerEntry) -> Action | None:
    """A takeover's cost charged to the seller, as a decision with its statement."""
    if n.policy.decisions is None:
        return None
    ids = [
        f"{k} {v}"
        for k, v in (
            ("takeover", t.id),
            ("conversation", t.conversation_id),
            ("order", t.order_id),
            ("case", t.case_id),
        )
        if v
    ]
    text = (
        f"the platform took over ({t.trigger.replace('_', ' ')}) on {t.at.date().isoformat()} "
        f"and resolved it ({t.resolution}); cost {entry.amount} {entry.currency}"
    )
    a = start_action(
        n.s,
        key=f"{n.policy.name}:{t.seller_id}:{TAKEOVER_CHARGED}:{entry.key}",
        seller_id=t.seller_id,
        policy=n.policy.name,
        kind=TAKEOVER_CHARGED,
        origin="takeover",
        reason=text,
        reason_code="norms",
        start=entry.at,
        end=None,
        actor="system",
        now=n.now,
        findings=[entry.id],
    )
    if a is not None:
        issue(n, a, [{"text": text, "ids": ids}])
    return a

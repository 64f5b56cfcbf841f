"""Internal complaint handling (DSA Art. 20; P2B Art. 4(3), 11).

A seller or its staff files a complaint against a decision that has a statement of reasons,
free of charge, within the policy's window (at least six months after the statement); a late
one is refused with the date the window closed. Each complaint gets a handling deadline in
working time on the marketplace's complaint calendar (the clock kernel), and the platform's
agents work the queue by that deadline.

Only a signed-in person of the platform (agent or operator) decides, never the system:
`upheld` (the decision stands), `reversed` (the restriction is lifted, or cancelled during its
notice period, and the ladder steps back as if the step had not been taken) or
`partly_reversed` (the restriction is lifted from now on; the ladder position stays). A
reversal restores a badge whose other criteria hold, credits a contested takeover charge
where the policy says so, tells the seller, and every
step lands in the audit trail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from servicenorm.access.errors import Conflict, Forbidden, Invalid, NotFound
from servicenorm.access.principal import Principal, require_role, work_seller_of
from servicenorm.clock import parse_duration
from servicenorm.enforce.actions import lift_action
from servicenorm.enforce.audit import audit
from servicenorm.enforce.enforce_tables import Action, Complaint, LadderPosition, LedgerEntry
from servicenorm.enforce.kinds import SYSTEM
from servicenorm.enforce.notices import Notifier
from servicenorm.enforce.statements import statement_of
from servicenorm.notify.banners import clear_banners
from servicenorm.store.ids import new_id
from servicenorm.store.once import insert_once
from servicenorm.store.tables import Seller

OUTCOMES = ("upheld", "reversed", "partly_reversed")
MAX_TEXT = 5000


def _seller(s: Session, seller_id: str) -> Seller:
    seller = s.get(Seller, seller_id)
    if seller is None:
        raise NotFound(f"seller {seller_id!r} not found")
    return seller


def file_complaint(
    n: Notifier, p: Principal, action_id: str, text: str, now: datetime
) -> Complaint:
    """The seller (or its staff) contests decision `action_id`."""
    s = n.s
    row = s.get(Action, action_id)
    if row is None:
        raise NotFound(f"action {action_id!r} not found")
    seller = _seller(s, row.seller_id)
    work_seller_of(p, seller.id, seller.marketplace_id)
    if p.role not in ("seller", "staff"):
        raise Forbidden("the seller or its staff files a complaint, not the platform")
    st = statement_of(s, action_id)
    if st is None:
        raise Invalid(
            f"action {action_id} is not a restricting decision with a statement", "action"
        )
    body = text.strip()
    if not body:
        raise Invalid("say what is wrong with the decision", "text")
    if len(body) > MAX_TEXT:
        raise Invalid(f"at most {MAX_TEXT} characters", "text")
    if now > st.complaint_until:
        raise Invalid(
            f"the complaint window of this decision closed on {st.complaint_until.date()}",
            "text",
        )
    d = n.policy.decisions
    assert d is not None  # a statement exists, so the policy has its decisions section
    cal = n.policy.calendar(d.complaint_calendar, seller.country)
    c = Complaint(
        id=new_id(),
        action_id=row.id,
        statement_id=st.id,
        seller_id=row.seller_id,
        policy=n.policy.name,
        kind=row.kind,
        reason_code=row.reason_code,
        text=body,
        filed_by=p.account_id,
        filed_at=now,
        due_at=cal.deadline(now, parse_duration(d.complaint_handling)),
        state="open",
        recorded_at=now,
        version=1,
    )
    if not insert_once(s, c):
        raise Conflict("this complaint was filed already", "text")
    audit(
        s,
        seller_id=row.seller_id,
        subject="complaint",
        subject_id=c.id,
        event="filed",
        at=now,
        actor=p.account_id,
        now=now,
        detail={"action": row.id, "due": c.due_at.isoformat()},
    )
    return c


def queue(
    s: Session, p: Principal, state: str | None = "open", limit: int = 100
) -> list[Complaint]:
    """The platform's complaints, the earliest handling deadline first."""
    require_role(p, "agent", "operator")
    q = select(Complaint).join(Seller, Seller.id == Complaint.seller_id)
    if p.marketplace_id is not None:
        q = q.where(Seller.marketplace_id == p.marketplace_id)
    if state is not None:
        q = q.where(Complaint.state == state)
    return list(s.scalars(q.order_by(Complaint.due_at, Complaint.id).limit(limit)))


def complaints_of(s: Session, seller_id: str) -> list[Complaint]:
    return list(
        s.scalars(
            select(Complaint).where(Complaint.seller_id == seller_id).order_by(Complaint.filed_at)
        )
    )


def _human(s: Session, p: Principal) -> None:
    from servicenorm.store.accounts import Account

    if p.role not in ("agent", "operator"):
        raise Forbidden(f"a person of the platform (agent or operator) decides, not a {p.role}")
    acc = s.get(Account, p.account_id)
    if p.account_id == SYSTEM or acc is None or not acc.active:
        raise Forbidden("a complaint is decided by a signed-in person, never by the system")


@dataclass(frozen=True)
class Decided:
    complaint: Complaint
    lifted: list[str]
    badge_events: list[tuple[str, str, str | None]]
    reversed_charges: list[str]


def decide(
    n: Notifier, p: Principal, complaint_id: str, outcome: str, reasons: str, now: datetime
) -> Decided:
    s = n.s
    _human(s, p)
    c = s.get(Complaint, complaint_id)
    if c is None:
        raise NotFound(f"complaint {complaint_id!r} not found")
    seller = _seller(s, c.seller_id)
    if not p.in_marketplace(seller.marketplace_id):
        raise NotFound(f"complaint {complaint_id!r} not found")
    if outcome not in OUTCOMES:
        raise Invalid(f"outcome must be one of {', '.join(OUTCOMES)}", "outcome")
    if not reasons.strip():
        raise Invalid("give the reasons of the decision: the seller reads them", "reasons")
    res = s.execute(
        update(Complaint)
        .where(Complaint.id == c.id, Complaint.state == "open", Complaint.version == c.version)
        .values(
            state="decided",
            outcome=outcome,
            reasons=reasons.strip(),
            decided_by=p.account_id,
            decided_at=now,
            version=Complaint.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"complaint {c.id} was decided already", "complaint")
    s.refresh(c)
    action = s.get(Action, c.action_id)
    assert action is not None
    lifted: list[str] = []
    charges: list[str] = []
    events: list[tuple[str, str, str | None]] = []
    if outcome != "upheld":
        lifted, charges, events = _reverse(n, p, c, action, outcome, now)
    audit(
        s,
        seller_id=c.seller_id,
        subject="complaint",
        subject_id=c.id,
        event="decided",
        at=now,
        actor=p.account_id,
        now=now,
        detail={
            "outcome": outcome,
            "reasons": c.reasons,
            "action": action.id,
            "lifted": lifted,
            "reversed_charges": charges,
            "badge_events": [list(e) for e in events],
        },
    )
    n.mail(
        f"complaint:{c.id}:decided",
        c.seller_id,
        "complaint_decided",
        now,
        {
            "filed": c.filed_at.isoformat(),
            "kind": action.kind,
            "stated": (action.stated_at or action.start_at).isoformat(),
            "outcome": outcome,
            "reasons": c.reasons,
            "at": now.isoformat(),
        },
    )
    return Decided(c, lifted, events, charges)


def _reverse(
    n: Notifier, p: Principal, c: Complaint, action: Action, outcome: str, now: datetime
) -> tuple[list[str], list[str], list[tuple[str, str, str | None]]]:
    s = n.s
    lifted: list[str] = []
    if action.state == "active":
        reason = f"complaint {c.id} {outcome.replace('_', ' ')}: {c.reasons}"
        lift_action(s, action.id, at=now, by=p.account_id, reason=reason, now=now)
        lifted = [
            action.id,
            *s.scalars(
                select(Action.id).where(Action.parent_id == action.id, Action.lifted_at == now)
            ),
        ]
        for a in s.scalars(select(Action).where(Action.id.in_(lifted))):
            clear_banners(s, a.seller_id, f"{n.policy.name}:action:{a.key}", now)
    if outcome == "reversed" and action.origin == "ladder":
        _step_back(s, action)
    charges = _reverse_charges(n, p, c, action, now)
    events = _restore_badge(n, c.seller_id, now, action, p.account_id)
    return lifted, charges, events


def _step_back(s: Session, action: Action) -> None:
    """A reversed ladder step counts as not taken: the position goes back below it."""
    pos = s.scalar(
        select(LadderPosition).where(
            LadderPosition.seller_id == action.seller_id, LadderPosition.policy == action.policy
        )
    )
    m = re.search(r":ladder:c\d+:s(\d+):", action.key)
    if pos is None or m is None or pos.level < int(m.group(1)):
        return
    level = int(m.group(1))
    s.execute(
        update(LadderPosition)
        .where(LadderPosition.id == pos.id, LadderPosition.version == pos.version)
        .values(level=level - 1, version=LadderPosition.version + 1)
        .execution_options(synchronize_session=False)
    )


def _reverse_charges(
    n: Notifier, p: Principal, c: Complaint, action: Action, now: datetime
) -> list[str]:
    """A contested takeover charge is credited back, where the policy says so."""
    d = n.policy.decisions
    if d is None or not d.reverse_takeover_charges or action.kind != "takeover_charged":
        return []
    q = select(LedgerEntry).where(LedgerEntry.id.in_(list(action.findings or [])))
    out = []
    for e in n.s.scalars(q).all():
        if Decimal(e.amount) <= 0:
            continue
        credit = LedgerEntry(
            id=new_id(),
            key=f"reversal:{e.key}",
            seller_id=e.seller_id,
            takeover_id=e.takeover_id,
            amount=str(-Decimal(e.amount)),
            currency=e.currency,
            description=f"reversed after complaint {c.id}: {e.description}",
            at=now,
            recorded_at=now,
        )
        if insert_once(n.s, credit):
            out.append(credit.id)
            audit(
                n.s,
                seller_id=e.seller_id,
                subject="ledger",
                subject_id=credit.id,
                event="reversed",
                at=now,
                actor=p.account_id,
                now=now,
                detail={"charge": e.id, "amount": credit.amount, "complaint": c.id},
            )
    return out


def _restore_badge(
    n: Notifier, seller_id: str, now: datetime, action: Action, actor: str
) -> list[tuple[str, str, str | None]]:
    """The badge comes back at once when its other criteria held at the last evaluation and
    nothing else blocks it (a reversed removal also clears its exclusion or pause)."""
    if n.policy.badge is None:
        return []
    from servicenorm.clock import to_us
    from servicenorm.enforce import badges, event_facts
    from servicenorm.enforce.loader import load_log

    seller = _seller(n.s, seller_id)
    log = load_log(n.s, seller.marketplace_id, now, types=("bill_issued", "bill_paid"))
    bills = event_facts.bills(log, to_us(now), n.policy.zone)
    if action.kind == "badge_removed":
        return badges.restore_badge(n, seller_id, bills, now, actor)
    return [e for e in badges.recheck_badges(n, bills, now).events if e[0] == seller_id]

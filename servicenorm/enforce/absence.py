"""Absences and vacation mode (docs/enforcement.md; bol's and SWOPiFY's rules).

An `absence_announced` event becomes an absence row once: its working days are counted on
the policy's calendar, a notice later than required is a finding and an e-mail, and coverage
is arranged (a staff member when the seller has one, else the platform, as the policy says).
Vacation mode / temporary closure closes the shop for new orders and hides its phone number;
question deadlines keep running (bol).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.access.errors import Invalid, NotFound
from servicenorm.access.principal import Principal, manage_seller
from servicenorm.clock import from_us
from servicenorm.clock.kernel import local_midnight
from servicenorm.enforce.absence_rules import check_notice
from servicenorm.enforce.audit import audit
from servicenorm.enforce.enforce_tables import Absence, FindingRow
from servicenorm.enforce.kinds import SYSTEM
from servicenorm.enforce.notices import Notifier
from servicenorm.policy import Policy
from servicenorm.store.ids import new_id
from servicenorm.store.once import insert_once
from servicenorm.store.tables import Account, EventRow, Seller


def _coverage(s: Session, rule: str, seller_id: str) -> str:
    has_staff = (
        s.scalar(
            select(Account.id)
            .where(
                Account.seller_id == seller_id, Account.role == "staff", Account.active.is_(True)
            )
            .limit(1)
        )
        is not None
    )
    if rule == "staff":
        return "staff" if has_staff else "none"
    if rule == "platform":
        return "platform"
    return "staff" if has_staff else "platform"


def register(
    n: Notifier, *, event_id: str, seller_id: str, start: date, end: date, announced_at: datetime
) -> Absence | None:
    """Judge one announcement (idempotent by its event id); None when registered already."""
    s, policy = n.s, n.policy
    rule = policy.absence
    if rule is None:
        return None
    if s.scalar(select(Absence.id).where(Absence.key == event_id)) is not None:
        return None
    seller = s.get(Seller, seller_id)
    cal = policy.calendar(rule.calendar, seller.country if seller else None)
    check = check_notice(rule, cal, start, end, announced_at)
    row = Absence(
        id=new_id(),
        key=event_id,
        seller_id=seller_id,
        policy=policy.name,
        start=start.isoformat(),
        end=end.isoformat(),
        announced_at=announced_at,
        working_days=check.working_days,
        notice_needed_by=check.needed_by,
        late=check.late,
        coverage=_coverage(s, rule.coverage, seller_id),
        recorded_at=n.now,
    )
    if not insert_once(s, row):
        return None
    audit(
        s,
        seller_id=seller_id,
        subject="absence",
        subject_id=row.id,
        event="announced",
        at=announced_at,
        actor=SYSTEM,
        now=n.now,
        detail={
            "start": row.start,
            "end": row.end,
            "working_days": row.working_days,
            "late": row.late,
            "needed_by": check.needed_by.isoformat() if check.needed_by else None,
            "coverage": row.coverage,
        },
    )
    ctx = {
        "start": row.start,
        "end": row.end,
        "working_days": row.working_days,
        "coverage": row.coverage,
        "announced": announced_at.isoformat(),
        "limit_days": rule.longer_than_working_days,
        "notice_days": rule.notice_days,
        "needed_by": check.needed_by.isoformat() if check.needed_by else None,
    }
    if check.late:
        assert check.needed_by is not None
        key = f"{policy.name}|{seller_id}|absence_notice|{event_id}"
        s.add(
            FindingRow(
                id=new_id(),
                key=key,
                policy=policy.name,
                seller_id=seller_id,
                norm="absence_notice",
                value=float(check.working_days),
                threshold=float(rule.longer_than_working_days),
                comparison="above",
                window_from=row.start,
                window_to=row.end,
                detail=event_id,
                in_score=False,
                evidence=[event_id],
                at=announced_at,
                recorded_at=n.now,
            )
        )
        n.mail(f"absence_late:{event_id}", seller_id, "absence_late", announced_at, ctx)
        n.banner(
            f"absence_late:{event_id}",
            seller_id,
            "absence_late",
            announced_at,
            {"start": row.start, "needed_by": ctx["needed_by"]},
            end=_after(policy, end),
        )
    else:
        n.mail(f"absence:{event_id}", seller_id, "absence_confirmed", announced_at, ctx)
    return row


def _after(policy: Policy, end: date) -> datetime:
    """The first instant after the absence's last local day."""
    zone = policy.calendar(
        policy.absence.calendar if policy.absence else policy.response.calendar
    ).zone
    return from_us(local_midnight(zone, end + timedelta(days=1)), zone)


def process_announcements(n: Notifier, marketplace: str, now: datetime) -> list[Absence]:
    """Register every announcement in the event log not registered yet."""
    s = n.s
    if n.policy.absence is None:
        return []
    sellers = select(Seller.id).where(Seller.marketplace_id == marketplace)
    seen = select(Absence.key)
    rows = s.scalars(
        select(EventRow)
        .where(
            EventRow.type == "absence_announced",
            EventRow.at <= now,
            EventRow.seller_id.in_(sellers),
            EventRow.id.not_in(seen),
        )
        .order_by(EventRow.at, EventRow.id)
    ).all()
    out = []
    for e in rows:
        try:
            start, end = (
                date.fromisoformat(str(e.payload["start"])),
                date.fromisoformat(str(e.payload["end"])),
            )
        except (KeyError, ValueError):
            continue  # validated at ingest; a hand-made row is skipped (no crash loop)
        a = register(
            n, event_id=e.id, seller_id=str(e.seller_id), start=start, end=end, announced_at=e.at
        )
        if a is not None:
            out.append(a)
    return out


def announce(
    n: Notifier, p: Principal, seller_id: str, start: date, end: date, now: datetime
) -> Absence:
    """The seller (or an operator) announces an absence through the API: it enters the event
    log like any other fact and is judged at once."""
    from servicenorm.store import eventlog

    seller = n.s.get(Seller, seller_id)
    if seller is None:
        raise NotFound(f"seller {seller_id!r} not found")
    manage_seller(p, seller)
    if end < start:
        raise Invalid("the absence ends before it starts", "end")
    if n.policy.absence is None:
        raise Invalid(f"the marketplace's policy {n.policy.name} has no absence rule", "seller")
    event_id = f"api-absence-{new_id()}"
    eventlog.record(
        n.s,
        event_id,
        "absence_announced",
        now,
        seller_id,
        {"seller": seller_id, "start": start.isoformat(), "end": end.isoformat()},
        now,
    )
    n.s.flush()
    row = register(
        n, event_id=event_id, seller_id=seller_id, start=start, end=end, announced_at=now
    )
    assert row is not None
    return row


def absences_of(s: Session, seller_id: str) -> list[Absence]:
    return list(
        s.scalars(select(Absence).where(Absence.seller_id == seller_id).order_by(Absence.start))
    )


def set_vacation(s: Session, p: Principal, seller_id: str, closed: bool, now: datetime) -> Seller:
    """Vacation mode on or off: recorded as shop_closed / shop_reopened in the event log (the
    phone metric leaves closed periods out) and on the seller (no new orders, phone hidden)."""
    from servicenorm.store import eventlog

    seller = s.get(Seller, seller_id)
    if seller is None:
        raise NotFound(f"seller {seller_id!r} not found")
    manage_seller(p, seller)
    if seller.closed == closed:
        return seller
    eventlog.record(
        s,
        f"api-{'closed' if closed else 'reopened'}-{new_id()}",
        "shop_closed" if closed else "shop_reopened",
        now,
        seller_id,
        {"seller": seller_id},
        now,
    )
    seller.closed = closed
    audit(
        s,
        seller_id=seller_id,
        subject="shop",
        subject_id=seller_id,
        event="closed" if closed else "reopened",
        at=now,
        actor=p.account_id,
        now=now,
        detail={},
    )
    return seller

"""Actions and restrictions: start (idempotent by key), lift and expire (compare-and-set),
and the questions an operator's search, checkout and payout systems ask: what is in force for
this seller at this instant, and what may it still do?"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from servicenorm.access.errors import Conflict, Invalid, NotFound
from servicenorm.enforce.audit import audit
from servicenorm.enforce.enforce_tables import Action
from servicenorm.enforce.kinds import ACTIONS, BLOCKS, CAPABILITIES, RESTRICTIONS
from servicenorm.enforce.machine import NoticeException
from servicenorm.store.ids import new_id
from servicenorm.store.once import insert_once


def start_action(
    s: Session,
    *,
    key: str,
    seller_id: str,
    policy: str,
    kind: str,
    origin: str,
    reason: str,
    reason_code: str,
    start: datetime,
    end: datetime | None,
    actor: str,
    now: datetime,
    findings: Sequence[str] = (),
    parent_id: str | None = None,
    stated: datetime | None = None,
    exception: NoticeException | None = None,
) -> Action | None:
    """Record an action; None when the action with this key exists (a second run).
    `stated`: when it was decided (default `start`; earlier for a termination with notice)."""
    if kind not in ACTIONS:
        raise Invalid(f"unknown action {kind!r}; one of {', '.join(ACTIONS)}", "kind")
    if end is not None and end <= start:
        raise Invalid("a restriction ends after it starts", "end")
    if kind == "suspend_permanently":
        end = None
    if s.scalar(select(Action.id).where(Action.key == key)) is not None:
        return None
    row = Action(
        id=new_id(),
        key=key,
        seller_id=seller_id,
        policy=policy,
        kind=kind,
        origin=origin,
        reason=reason,
        reason_code=reason_code,
        findings=list(findings),
        parent_id=parent_id,
        start_at=start,
        end_at=end,
        state="active" if kind in RESTRICTIONS else "done",  # other decisions: done at once
        created_by=actor,
        recorded_at=now,
        stated_at=stated or start,
        notice_exception=None
        if exception is None
        else {"ground": exception.ground, "evidence": list(exception.evidence)},
    )
    if not insert_once(s, row):
        return None
    audit(
        s,
        seller_id=seller_id,
        subject="action",
        subject_id=row.id,
        event="started",
        at=start,
        actor=actor,
        now=now,
        detail={
            "kind": kind,
            "origin": origin,
            "reason": reason,
            "reason_code": reason_code,
            "end": end.isoformat() if end else None,
            "findings": list(findings),
            "parent": parent_id,
            "stated": (stated or start).isoformat(),
            "notice_exception": row.notice_exception,
        },
    )
    return row


def lift_action(
    s: Session, action_id: str, *, at: datetime, by: str, reason: str, now: datetime
) -> Action:
    """Lift an active restriction at `at` (compare-and-set: lifting twice is a conflict);
    restrictions it extended to linked shops are lifted with it. Lifting a termination in
    its notice period (before it takes effect) cancels it."""
    row = s.get(Action, action_id)
    if row is None:
        raise NotFound(f"action {action_id!r} not found")
    pending = at < row.start_at
    if row.kind == "suspend_permanently" and by == "system" and not pending:
        raise Conflict("a permanent suspension is lifted only by an operator", "action")
    if pending and (row.stated_at is None or at < row.stated_at):
        raise Invalid("a restriction cannot be lifted before it was decided", "at")
    res = s.execute(
        update(Action)
        .where(Action.id == action_id, Action.state == "active", Action.version == row.version)
        .values(
            state="cancelled" if pending else "lifted",
            lifted_at=at,
            lifted_by=by,
            lift_reason=reason,
            version=Action.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"action {action_id} is not active (state {row.state})", "action")
    s.refresh(row)
    audit(
        s,
        seller_id=row.seller_id,
        subject="action",
        subject_id=row.id,
        event="cancelled" if pending else "lifted",
        at=at,
        actor=by,
        now=now,
        detail={"kind": row.kind, "reason": reason},
    )
    for child in s.scalars(
        select(Action).where(Action.parent_id == row.id, Action.state == "active")
    ).all():
        lift_action(
            s,
            child.id,
            at=at,
            by=by,
            reason=f"the restriction of linked shop {row.seller_id} was lifted",
            now=now,
        )
    return row


def expire_due(s: Session, now: datetime) -> list[Action]:
    """Mark restrictions whose end has passed as expired, stamped with their end."""
    rows = s.scalars(
        select(Action).where(
            Action.state == "active", Action.end_at.isnot(None), Action.end_at <= now
        )
    ).all()
    out = []
    for row in rows:
        res = s.execute(
            update(Action)
            .where(Action.id == row.id, Action.state == "active", Action.version == row.version)
            .values(state="expired", version=Action.version + 1)
            .execution_options(synchronize_session=False)
        )
        if res.rowcount == 1:  # type: ignore[attr-defined]
            s.refresh(row)
            assert row.end_at is not None
            audit(
                s,
                seller_id=row.seller_id,
                subject="action",
                subject_id=row.id,
                event="expired",
                at=row.end_at,
                actor="system",
                now=now,
                detail={"kind": row.kind},
            )
            out.append(row)
    return out


def in_force(s: Session, at: datetime, seller_ids: Sequence[str] | None = None) -> list[Action]:
    """Restrictions in force at `at`: started, not ended, not lifted (by their logical times,
    so the answer for a past instant stays what it was)."""
    q = select(Action).where(
        Action.kind.in_(RESTRICTIONS),
        Action.start_at <= at,
        or_(Action.end_at.is_(None), Action.end_at > at),
        or_(Action.lifted_at.is_(None), Action.lifted_at > at),
    )
    if seller_ids is not None:
        q = q.where(Action.seller_id.in_(list(seller_ids)))
    return list(s.scalars(q.order_by(Action.seller_id, Action.start_at, Action.id)))


def actions_of(s: Session, seller_id: str, limit: int = 500) -> list[Action]:
    return list(
        s.scalars(
            select(Action)
            .where(Action.seller_id == seller_id)
            .order_by(Action.start_at, Action.id)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Capabilities:
    seller_id: str
    at: datetime
    allowed: dict[str, bool]
    blocked_by: dict[str, list[str]] = field(default_factory=dict)  # capability -> action ids
    shop_closed: bool = False
    phone_visible: bool = True
    deadlines_running: bool = True  # bol's norms: closure does not pause question deadlines


def capabilities(s: Session, seller_id: str, at: datetime) -> Capabilities:
    """What the seller may do at `at`: restrictions in force plus vacation mode (R4.7: a closed
    shop takes no new orders and its phone number is hidden; deadlines keep running)."""
    from servicenorm.store.tables import Seller

    blocked: dict[str, list[str]] = {}
    for a in in_force(s, at, [seller_id]):
        for cap in BLOCKS[a.kind]:
            blocked.setdefault(cap, []).append(a.id)
    seller = s.get(Seller, seller_id)
    closed = bool(seller.closed) if seller is not None else False
    allowed = {c: c not in blocked for c in CAPABILITIES}
    if closed:
        allowed["accepts_orders"] = False
    return Capabilities(seller_id, at, allowed, blocked, closed, phone_visible=not closed)

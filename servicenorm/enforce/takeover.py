"""Takeover (docs/enforcement.md, SWOPiFY's rules): the platform takes a conversation over, its
agent handles
the complaint or return, and the cost is charged to the seller.

Triggers: a missed reply deadline (found by scanning the stored, indexed deadlines),
a case about quality or conformity (at once), a return or complaint the seller leaves open
(`case_ignored_after` working time), serious violations reported by an operator or agent
(locked devices, counterfeit, unsafe products: at once), and coverage of an announced absence.

Workflow: `queued` (the conversation left the seller's hands: the helpdesk lets only an agent
answer it; the seller is told) -> `assigned` (an agent claimed it) -> `resolved` (a resolution,
a ledger entry with the cost, the case closed by the platform, the seller told).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from servicenorm.access.errors import Conflict, Forbidden, Invalid, NotFound
from servicenorm.access.principal import Principal
from servicenorm.clock import from_us, parse_duration
from servicenorm.clock.kernel import local_midnight
from servicenorm.enforce.audit import audit
from servicenorm.enforce.enforce_tables import Absence, CaseDeadline, LedgerEntry, Takeover
from servicenorm.enforce.kinds import RESOLUTIONS, SERIOUS_TRIGGERS, SYSTEM, TRIGGERS
from servicenorm.enforce.notices import Notifier
from servicenorm.policy import Policy
from servicenorm.store.ids import new_id
from servicenorm.store.once import insert_once
from servicenorm.store.tables import Conversation, EventRow, Order, Seller


def _take(
    n: Notifier,
    *,
    seller_id: str,
    marketplace: str,
    trigger: str,
    at: datetime,
    conversation_id: str | None,
    order_id: str | None = None,
    case_id: str | None = None,
    note: str = "",
    actor: str = SYSTEM,
) -> Takeover | None:
    """Queue a takeover (idempotent per conversation or case) and move the conversation out of
    the seller's hands by compare-and-set; None if it was taken over already."""
    s = n.s
    key = f"conv:{conversation_id}" if conversation_id else f"case:{marketplace}:{case_id}"
    if s.scalar(select(Takeover.id).where(Takeover.key == key)) is not None:
        return None
    if case_id is not None and s.scalar(  # (also one keyed `case:<id>` before cases were scoped)
        select(Takeover.id).where(Takeover.case_id == case_id, Takeover.marketplace == marketplace)
    ):
        return None
    row = Takeover(
        id=new_id(),
        key=key,
        seller_id=seller_id,
        marketplace=marketplace,
        conversation_id=conversation_id,
        order_id=order_id,
        case_id=case_id,
        trigger=trigger,
        note=note,
        state="queued",
        at=at,
        recorded_at=n.now,
        version=1,
    )
    try:
        with s.begin_nested():
            s.add(row)
            s.flush()
            if conversation_id is not None:
                moved = s.execute(
                    update(Conversation)
                    .where(Conversation.id == conversation_id, Conversation.taken_over_at.is_(None))
                    .values(taken_over_at=at, version=Conversation.version + 1)
                    .execution_options(synchronize_session=False)
                )
                if moved.rowcount != 1:  # type: ignore[attr-defined]
                    raise _AlreadyTaken
    except (IntegrityError, _AlreadyTaken):
        return None
    audit(
        s,
        seller_id=seller_id,
        subject="takeover",
        subject_id=row.id,
        event="queued",
        at=at,
        actor=actor,
        now=n.now,
        detail={
            "trigger": trigger,
            "conversation": conversation_id,
            "order": order_id,
            "case": case_id,
            "note": note,
        },
    )
    ctx = {"trigger": trigger, "conversation": conversation_id, "order": order_id, "case": case_id}
    n.mail(f"takeover:{key}", seller_id, "takeover_started", at, ctx)
    n.banner(
        f"takeover:{key}",
        seller_id,
        "takeover_started",
        at,
        {"trigger": trigger},
        end=at + timedelta(days=14),
    )
    return row


class _AlreadyTaken(Exception):
    pass


def _enabled(policy: Policy, trigger: str) -> bool:
    t = policy.takeover
    if t is None:
        return False
    if trigger == "missed_deadline":
        return t.on_missed_deadline
    return trigger in t.triggers


def cover_absences(n: Notifier, marketplace: str, now: datetime) -> list[Takeover]:
    """A buyer turn waiting during an absence the platform covers goes to the platform's queue,
    also when the scan first sees it after the absence ended (the last day's questions)."""
    s, policy = n.s, n.policy
    if not _enabled(policy, "absence_coverage") or policy.absence is None:
        return []
    zone = policy.calendar(policy.absence.calendar).zone
    today = now.astimezone(zone).date()
    recent = (today - timedelta(days=_COVER_LOOKBACK_DAYS)).isoformat()
    covering = s.scalars(
        select(Absence).where(
            Absence.policy == policy.name,
            Absence.coverage == "platform",
            Absence.start <= today.isoformat(),
            Absence.end >= recent,
        )
    ).all()
    out = []
    for ab in covering:
        first = _local_day_start(zone, date.fromisoformat(ab.start))
        after = _local_day_start(zone, date.fromisoformat(ab.end) + timedelta(days=1))
        convs = s.scalars(
            select(Conversation).where(
                Conversation.seller_id == ab.seller_id,
                Conversation.deadline.isnot(None),
                Conversation.taken_over_at.is_(None),
                Conversation.closed_at.is_(None),
                Conversation.awaiting_since < min(after, now),
                Conversation.deadline >= first,
            )
        ).all()
        for c in convs:
            start = max(c.awaiting_since or now, first)
            t = _take(
                n,
                seller_id=ab.seller_id,
                marketplace=marketplace,
                trigger="absence_coverage",
                at=start,
                conversation_id=c.id,
                order_id=c.order_id,
                note=f"absence {ab.start}..{ab.end}",
            )
            if t is not None:
                out.append(t)
    return out


_COVER_LOOKBACK_DAYS = 31  # an absence this long over still hands its waiting questions over


def _local_day_start(zone: ZoneInfo, d: date) -> datetime:
    return from_us(local_midnight(zone, d), zone)


def missed_deadlines(n: Notifier, marketplace: str, now: datetime) -> list[Takeover]:
    """Conversations whose reply deadline passed unanswered, via the indexed deadline column."""
    if not _enabled(n.policy, "missed_deadline"):
        return []
    rows = n.s.scalars(
        select(Conversation)
        .join(Seller, Seller.id == Conversation.seller_id)
        .where(
            Conversation.deadline.isnot(None),
            Conversation.deadline < now,
            Conversation.taken_over_at.is_(None),
            Conversation.closed_at.is_(None),
            Seller.marketplace_id == marketplace,
        )
        .order_by(Conversation.deadline)
    ).all()
    out = []
    for c in rows:
        assert c.deadline is not None  # selected on it
        t = _take(
            n,
            seller_id=c.seller_id,
            marketplace=marketplace,
            trigger="missed_deadline",
            at=c.deadline,
            conversation_id=c.id,
            order_id=c.order_id,
        )
        if t is not None:
            out.append(t)
    return out


_CASE_TRIGGER = {
    "not_as_described": "conformity_dispute",
    "return": "ignored_return_rights",
    "not_received": "ignored_complaint",
    "other": "ignored_complaint",
}


def record_cases(n: Notifier, marketplace: str) -> int:
    """Store the takeover deadline of every case of the marketplace not yet stored: a dispute
    about conformity is due at once, a return or complaint after `case_ignored_after` working
    time on the seller's response calendar (the clock kernel). Each case is computed once,
    when a round first sees its `case_opened` event; the number stored is returned."""
    s, policy = n.s, n.policy
    if policy.takeover is None:
        return 0
    new = s.execute(
        select(EventRow, Seller.country)
        .join(Seller, Seller.id == EventRow.seller_id)
        .where(
            EventRow.type == "case_opened",
            Seller.marketplace_id == marketplace,
            ~select(CaseDeadline.event_id).where(CaseDeadline.event_id == EventRow.id).exists(),
        )
        .order_by(EventRow.at, EventRow.id)
    ).all()
    allowance = parse_duration(policy.takeover.case_ignored_after)
    stored = 0
    for e, country in new:
        kind = str(e.payload["kind"])
        trigger = _CASE_TRIGGER[kind]
        due = (
            e.at
            if trigger == "conformity_dispute"
            else policy.response_calendar(country).deadline(e.at, allowance)
        )
        row = CaseDeadline(
            marketplace=marketplace,
            case_id=str(e.payload["case"]),
            event_id=e.id,
            seller_id=str(e.seller_id),
            order_id=str(e.payload["order"]),
            kind=kind,
            trigger=trigger,
            opened_at=e.at,
            due_at=due,
            state="open",
            recorded_at=n.now,
        )
        stored += insert_once(s, row)  # a case opened twice keeps its first deadline
    return stored


def _closings(s: Session, cases: list[CaseDeadline], now: datetime) -> dict[str, datetime]:
    """When each of `cases` (one marketplace's) was first closed, up to `now`: a closing names
    the case's seller (the platform's own) or, as the event contract has it, no seller."""
    sellers = {c.case_id: c.seller_id for c in cases}
    out: dict[str, datetime] = {}
    rows = s.execute(
        select(EventRow.at, EventRow.payload, EventRow.seller_id)
        .where(
            EventRow.type == "case_closed",
            EventRow.at <= now,
            or_(EventRow.seller_id.is_(None), EventRow.seller_id.in_(set(sellers.values()))),
        )
        .order_by(EventRow.at)
    ).all()
    for at, payload, seller_id in rows:
        case = str(payload["case"])
        if case in sellers and seller_id in (None, sellers[case]):
            out.setdefault(case, at)
    return out


def case_triggers(n: Notifier, marketplace: str, now: datetime) -> list[Takeover]:
    """Cases whose stored deadline passed (by index): a dispute about conformity at once, a
    return or complaint the seller left open for `case_ignored_after` working time. A case
    the seller closed by its deadline is settled and never looked at again."""
    s, policy = n.s, n.policy
    if policy.takeover is None:
        return []
    record_cases(n, marketplace)
    enabled = [t for t in set(_CASE_TRIGGER.values()) if _enabled(policy, t)]
    due = [
        c
        for c in s.scalars(
            select(CaseDeadline)
            .where(
                CaseDeadline.marketplace == marketplace,
                CaseDeadline.state == "open",
                CaseDeadline.due_at <= now,
                CaseDeadline.trigger.in_(enabled),
            )
            .order_by(CaseDeadline.due_at, CaseDeadline.case_id)
        )
        # the seller's time runs up to its deadline; a dispute is due the moment it is opened
        if c.due_at < now or c.trigger == "conformity_dispute"
    ]
    if not due:
        return []
    closed = _closings(s, due, now)
    out = []
    for c in due:
        if c.case_id in closed and closed[c.case_id] <= c.due_at:
            c.state, c.settled_at = "closed", closed[c.case_id]
            continue
        conv = s.scalar(
            select(Conversation.id)
            .where(Conversation.order_id == c.order_id, Conversation.seller_id == c.seller_id)
            .order_by(Conversation.opened_at.desc())
            .limit(1)
        )
        t = _take(
            n,
            seller_id=c.seller_id,
            marketplace=marketplace,
            trigger=c.trigger,
            at=c.due_at,
            conversation_id=conv,
            order_id=c.order_id,
            case_id=c.case_id,
            note=f"case {c.case_id} ({c.kind})",
        )
        c.state, c.settled_at = "taken", now
        if t is not None:
            out.append(t)
    s.flush()
    return out


def scan(n: Notifier, marketplace: str, now: datetime) -> list[Takeover]:
    """Every automatic trigger, absence coverage first (a question to an absent seller the
    platform covers is coverage, not a missed deadline)."""
    return [
        *cover_absences(n, marketplace, now),
        *case_triggers(n, marketplace, now),
        *missed_deadlines(n, marketplace, now),
    ]


_REPORTABLE = SERIOUS_TRIGGERS | {
    "quality_dispute",
    "conformity_dispute",
    "ignored_return_rights",
    "ignored_complaint",
}
MANUAL_TRIGGER = "ignored_complaint"  # why an agent takes over when it names no reason


def record_conversation_takeover(
    s: Session,
    policy: Policy,
    p: Principal,
    conversation_id: str,
    *,
    trigger: str | None,
    note: str,
    now: datetime,
) -> Takeover:
    """The helpdesk's takeover of a conversation on a marketplace whose policy has `[takeover]`:
    `report` for `trigger` (default `MANUAL_TRIGGER`)."""
    return report(
        Notifier(s, policy, now),
        p,
        trigger=trigger or MANUAL_TRIGGER,
        now=now,
        conversation_id=conversation_id,
        note=note,
    )


# --- the agent's side -----------------------------------------------------------------------


def _platform(p: Principal) -> None:
    if not p.is_platform:
        raise Forbidden("only the platform's agents and operators handle takeovers")


def report(
    n: Notifier,
    p: Principal,
    *,
    trigger: str,
    now: datetime,
    conversation_id: str | None = None,
    order_id: str | None = None,
    case_id: str | None = None,
    note: str = "",
) -> Takeover:
    """An operator or agent takes over at once: a serious violation (locked device, counterfeit,
    unsafe product) or a dispute they saw. An agent who reports it is assigned straight away."""
    _platform(p)
    s = n.s
    if trigger not in TRIGGERS or trigger in ("missed_deadline", "absence_coverage"):
        raise Invalid(f"report one of {', '.join(sorted(_REPORTABLE))}", "trigger")
    if n.policy.takeover is None or (trigger not in n.policy.takeover.triggers):
        raise Invalid(
            f"the marketplace's policy {n.policy.name} does not take over for {trigger}", "trigger"
        )
    conv = s.get(Conversation, conversation_id) if conversation_id else None
    if conversation_id and conv is None:
        raise NotFound(f"conversation {conversation_id!r} not found")
    if conv is None and case_id is None:
        raise Invalid("name the conversation (or the case) to take over", "conversation")
    if conv is not None:
        order_id = order_id or conv.order_id
        seller_id = conv.seller_id
    else:
        order = s.get(Order, order_id) if order_id else None
        if order is None:
            raise Invalid("a case without a conversation needs its order", "order")
        seller_id = order.seller_id
    seller = s.get(Seller, seller_id)
    if seller is None or not p.in_marketplace(seller.marketplace_id):
        raise NotFound("conversation not found")
    t = _take(
        n,
        seller_id=seller_id,
        marketplace=seller.marketplace_id,
        trigger=trigger,
        at=now,
        conversation_id=conv.id if conv else None,
        order_id=order_id,
        case_id=case_id,
        note=note,
        actor=p.account_id,
    )
    if t is None:
        raise Conflict("this conversation was taken over already", "conversation")
    if p.role == "agent":
        assign(n, p, t.id, now)
    return t


def _get(s: Session, p: Principal, takeover_id: str) -> Takeover:
    row = s.get(Takeover, takeover_id)
    if row is None or not p.in_marketplace(row.marketplace):
        raise NotFound(f"takeover {takeover_id!r} not found")
    return row


def assign(n: Notifier, p: Principal, takeover_id: str, now: datetime) -> Takeover:
    """An agent claims a queued takeover (compare-and-set: two agents never both get it)."""
    _platform(p)
    s = n.s
    row = _get(s, p, takeover_id)
    res = s.execute(
        update(Takeover)
        .where(Takeover.id == row.id, Takeover.state == "queued", Takeover.version == row.version)
        .values(
            state="assigned", agent_id=p.account_id, assigned_at=now, version=Takeover.version + 1
        )
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"takeover {takeover_id} is {row.state}, not queued", "takeover")
    if row.conversation_id is not None:
        s.execute(
            update(Conversation)
            .where(Conversation.id == row.conversation_id, Conversation.taken_over_by.is_(None))
            .values(taken_over_by=p.account_id, version=Conversation.version + 1)
            .execution_options(synchronize_session=False)
        )
    s.refresh(row)
    audit(
        s,
        seller_id=row.seller_id,
        subject="takeover",
        subject_id=row.id,
        event="assigned",
        at=now,
        actor=p.account_id,
        now=n.now,
        detail={"agent": p.account_id},
    )
    return row


def resolve(
    n: Notifier,
    p: Principal,
    takeover_id: str,
    *,
    resolution: str,
    now: datetime,
    note: str = "",
    cost: str | None = None,
) -> tuple[Takeover, LedgerEntry | None]:
    """The agent settles the return or complaint; the cost (the policy's, or the agent's own
    figure) is charged to the seller once."""
    _platform(p)
    if resolution not in RESOLUTIONS:
        raise Invalid(f"resolution must be one of {', '.join(RESOLUTIONS)}", "resolution")
    s, policy = n.s, n.policy
    assert policy.takeover is not None
    row = _get(s, p, takeover_id)
    res = s.execute(
        update(Takeover)
        .where(
            Takeover.id == row.id,
            Takeover.state.in_(("queued", "assigned")),
            Takeover.version == row.version,
        )
        .values(
            state="resolved",
            resolution=resolution,
            resolved_at=now,
            agent_id=row.agent_id or p.account_id,
            version=Takeover.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"takeover {takeover_id} is {row.state}", "takeover")
    s.refresh(row)
    audit(
        s,
        seller_id=row.seller_id,
        subject="takeover",
        subject_id=row.id,
        event="resolved",
        at=now,
        actor=p.account_id,
        now=n.now,
        detail={"resolution": resolution, "note": note},
    )
    amount = Decimal(cost if cost is not None else policy.takeover.cost_for(row.trigger))
    if amount < 0:
        raise Invalid("a cost cannot be negative", "cost")
    entry = None
    if amount > 0:
        entry = charge(n, row, amount, now)
    if row.case_id is not None:
        from servicenorm.store import eventlog

        eventlog.record(
            s,
            f"takeover-{row.id}-case-closed",
            "case_closed",
            now,
            row.seller_id,
            {"case": row.case_id, "resolution": "platform"},
            now,
        )
    return row, entry


def charge(n: Notifier, row: Takeover, amount: Decimal, at: datetime) -> LedgerEntry | None:
    policy, s = n.policy, n.s
    assert policy.takeover is not None
    key = f"takeover:{row.id}"
    if s.scalar(select(LedgerEntry.id).where(LedgerEntry.key == key)) is not None:
        return None
    entry = LedgerEntry(
        id=new_id(),
        key=key,
        seller_id=row.seller_id,
        takeover_id=row.id,
        amount=str(amount),
        currency=policy.takeover.currency,
        at=at,
        recorded_at=n.now,
        description=f"takeover {row.trigger} resolved: {row.resolution}",
    )
    s.add(entry)
    s.flush()
    audit(
        s,
        seller_id=row.seller_id,
        subject="ledger",
        subject_id=entry.id,
        event="charged",
        at=at,
        actor=SYSTEM,
        now=n.now,
        detail={"amount": entry.amount, "currency": entry.currency, "takeover": row.id},
    )
    n.mail(
        f"charged:{row.id}",
        row.seller_id,
        "takeover_charged",
        at,
        {
            "amount": entry.amount,
            "currency": entry.currency,
            "trigger": row.trigger,
            "resolution": row.resolution,
            "conversation": row.conversation_id,
            "case": row.case_id,
        },
    )
    from servicenorm.enforce.other_decisions import takeover_charge

    takeover_charge(n, row, entry)  # the charge is a decision with its statement of reasons
    return entry


@dataclass(frozen=True)
class QueueFilter:
    state: str | None = "queued"
    seller_id: str | None = None


def queue(s: Session, p: Principal, f: QueueFilter, limit: int = 100) -> list[Takeover]:
    """The platform's takeover queue, oldest first."""
    _platform(p)
    q = select(Takeover)
    conds = []
    if f.state is not None:
        conds.append(Takeover.state == f.state)
    if f.seller_id is not None:
        conds.append(Takeover.seller_id == f.seller_id)
    if p.marketplace_id is not None:
        conds.append(Takeover.marketplace == p.marketplace_id)
    if conds:
        q = q.where(and_(*conds))
    return list(s.scalars(q.order_by(Takeover.at, Takeover.id).limit(limit)))


def ledger(s: Session, seller_id: str) -> list[LedgerEntry]:
    return list(
        s.scalars(
            select(LedgerEntry).where(LedgerEntry.seller_id == seller_id).order_by(LedgerEntry.at)
        )
    )

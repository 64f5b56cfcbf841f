"""Badges in the store (docs/enforcement.md): the periodic evaluation, the daily re-check (bills
paid,
restrictions lifted), and an operator's removal for a violation or manipulation. Each
transition is a compare-and-set on the badge row, an audit entry, an e-mail and a banner on
the badge dashboard. A shop's badge is its own: linked shops are never touched by a removal
(only by restrictions that extend to them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from servicenorm.access.errors import Conflict, Invalid
from servicenorm.enforce import badge_rules as rules
from servicenorm.enforce.actions import in_force
from servicenorm.enforce.audit import audit
from servicenorm.enforce.enforce_tables import Action, BadgeRow
from servicenorm.enforce.event_facts import Bill
from servicenorm.enforce.kinds import BADGE_REASONS
from servicenorm.enforce.notices import Notifier
from servicenorm.notify.banners import clear_banners
from servicenorm.policy import Policy
from servicenorm.store.ids import new_id
from servicenorm.store.once import insert_once


@dataclass
class BadgeEvents:
    events: list[tuple[str, str, str | None]] = field(default_factory=list)  # seller, event, reason


def badge_row(s: Session, seller_id: str, policy: Policy) -> BadgeRow:
    assert policy.badge is not None
    name = policy.badge.name
    row = s.scalar(select(BadgeRow).where(BadgeRow.seller_id == seller_id, BadgeRow.badge == name))
    if row is not None:
        return row
    row = BadgeRow(
        id=new_id(),
        seller_id=seller_id,
        badge=name,
        policy=policy.name,
        status="none",
        excluded=False,
        last_met=False,
        last_check={},
        version=1,
    )
    if not insert_once(s, row):  # created concurrently
        found = s.scalar(
            select(BadgeRow).where(BadgeRow.seller_id == seller_id, BadgeRow.badge == name)
        )
        assert found is not None
        return found
    return row


def _state(row: BadgeRow) -> rules.BadgeState:
    return rules.BadgeState(
        row.status,  # type: ignore[arg-type]
        row.reason,
        row.since,
        row.pause_until,
        row.excluded,
        row.last_met,
        dict(row.last_check or {}),
        row.evaluated_as_of,
    )


def _store(s: Session, row: BadgeRow, st: rules.BadgeState) -> bool:
    res = s.execute(
        update(BadgeRow)
        .where(BadgeRow.id == row.id, BadgeRow.version == row.version)
        .values(
            status=st.status,
            reason=st.reason,
            since=st.since,
            pause_until=st.pause_until,
            excluded=st.excluded,
            last_met=st.last_met,
            last_check=_jsonable(st.last_check),
            evaluated_as_of=st.evaluated_as_of,
            version=BadgeRow.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:  # type: ignore[attr-defined]
        return False
    s.refresh(row)
    return True


def _jsonable(d: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in d.items()}


def blockers(
    s: Session, seller_id: str, at: datetime, overdue: set[str]
) -> tuple[rules.Blockers, list[Action]]:
    """The state machine's blockers over the restrictions in force (`machine.blockers`)."""
    from servicenorm.enforce.ladder_store import as_restriction
    from servicenorm.enforce.machine import blockers as machine_blockers

    force = in_force(s, at, [seller_id])
    return machine_blockers([as_restriction(a) for a in force], at, seller_id in overdue), force


def _tell(
    n: Notifier,
    row: BadgeRow,
    t: rules.Transition,
    at: datetime,
    actor: str,
    note: str = "",
    evidence: Sequence[str] = (),
) -> None:
    assert t.event is not None
    s, st = n.s, t.state
    audit(
        s,
        seller_id=row.seller_id,
        subject="badge",
        subject_id=row.id,
        event=t.event,
        at=at,
        actor=actor,
        now=n.now,
        detail={
            "badge": row.badge,
            "reason": t.reason,
            "pause_until": st.pause_until.isoformat() if st.pause_until else None,
            "excluded": st.excluded,
            "check": _jsonable(st.last_check),
        },
    )
    stamp = at.isoformat()
    ctx: dict[str, Any] = {"badge": row.badge, "reason": t.reason}
    if t.event == "awarded":
        n.mail(
            f"badge:{row.seller_id}:{row.badge}:awarded:{stamp}",
            row.seller_id,
            "badge_awarded",
            at,
            {**ctx, "figures": _jsonable(st.last_check)},
        )
        n.banner(
            f"badge:{row.seller_id}:{row.badge}:awarded:{stamp}",
            row.seller_id,
            "badge_awarded",
            at,
            ctx,
            page="badge",
            level="info",
        )
    elif t.event == "removed":
        from servicenorm.enforce.other_decisions import badge_removal

        badge_removal(n, row, t.reason or "criteria", at, actor, st.last_check, note, evidence)
        failed = list(st.last_check.get("failed", [])) if t.reason == "criteria" else []
        n.mail(
            f"badge:{row.seller_id}:{row.badge}:removed:{stamp}",
            row.seller_id,
            "badge_removed",
            at,
            {
                **ctx,
                "failed": failed,
                "figures": _jsonable(st.last_check),
                "excluded": st.excluded,
                "until": st.pause_until.isoformat() if st.pause_until else None,
            },
        )
        clear_banners(
            s, row.seller_id, f"{n.policy.name}:badge:{row.seller_id}:{row.badge}:awarded", at
        )
        n.banner(
            f"badge:{row.seller_id}:{row.badge}:removed:{stamp}",
            row.seller_id,
            "badge_removed",
            at,
            ctx,
            page="badge",
            level="danger",
        )
    elif t.event == "reinstated":
        n.mail(
            f"badge:{row.seller_id}:{row.badge}:reinstated:{stamp}",
            row.seller_id,
            "badge_reinstated",
            at,
            ctx,
        )
        clear_banners(
            s, row.seller_id, f"{n.policy.name}:badge:{row.seller_id}:{row.badge}:removed", at
        )
        n.banner(
            f"badge:{row.seller_id}:{row.badge}:awarded:{stamp}",
            row.seller_id,
            "badge_awarded",
            at,
            ctx,
            page="badge",
            level="info",
        )


def evaluate_badges(
    n: Notifier,
    rep: dict[str, Any],
    sales: Mapping[str, Decimal],
    overdue: set[str],
    as_of: datetime,
    bills: Sequence[Bill] = (),
) -> BadgeEvents:
    """The periodic badge evaluation over a report of the badge's window (`bills`: the
    overdue bills a removal's statement names)."""
    policy, s = n.policy, n.s
    assert policy.badge is not None
    out = BadgeEvents()
    for seller, m in sorted(rep["sellers"].items()):
        row = badge_row(s, seller, policy)
        check = rules.check_criteria(m, sales.get(seller, Decimal(0)), policy.badge)
        blk, _force = blockers(s, seller, as_of, overdue)
        t = rules.evaluate(_state(row), check, blk, as_of)
        if t.stale or not _store(s, row, t.state):
            continue
        if t.event is not None:
            _tell(n, row, t, as_of, "system", evidence=_overdue_ids(bills, seller, as_of))
            out.events.append((seller, t.event, t.reason))
    return out


def _cause_time(
    t: rules.Transition,
    before: rules.BadgeState,
    force: list[Action],
    bills: Iterable[Bill],
    seller: str,
    s: Session,
    now: datetime,
) -> datetime:
    """The logical time of a re-check transition: when the bill fell due or was paid, when
    the restriction started or was lifted, never before the badge's last change."""
    floor = before.since or now
    mine = [b for b in bills if b.seller == seller]
    at = now
    if t.event == "removed" and t.reason == "unpaid_bill":
        at = min((b.due_at for b in mine if b.overdue_at(now)), default=now)
    elif t.event == "removed" and t.reason == "account_restricted":
        at = max((a.start_at for a in force), default=now)
    elif t.event == "reinstated" and before.reason == "unpaid_bill":
        at = max(
            (b.paid_at for b in mine if b.paid_at is not None and b.paid_at <= now), default=now
        )
    elif t.event == "reinstated":
        ended = s.scalars(
            select(Action).where(
                Action.seller_id == seller, Action.lifted_at.isnot(None), Action.lifted_at <= now
            )
        ).all()
        at = max((a.lifted_at for a in ended if a.lifted_at is not None), default=now)
    return min(now, max(at, floor))


def recheck_badges(n: Notifier, bills: list[Bill], now: datetime) -> BadgeEvents:
    """Between evaluations: a new overdue bill or restriction removes the badge; paying the bill
    or the account's restoration gives it back (if the last evaluation's criteria held)."""
    policy, s = n.policy, n.s
    assert policy.badge is not None
    overdue = {b.seller for b in bills if b.overdue_at(now)}
    out = BadgeEvents()
    rows = s.scalars(
        select(BadgeRow).where(
            BadgeRow.policy == policy.name, BadgeRow.status.in_(("awarded", "removed"))
        )
    ).all()
    for row in rows:
        before = _state(row)
        blk, force = blockers(s, row.seller_id, now, overdue)
        t = rules.recheck(before, blk, now)
        if t.event is None:
            continue
        at = _cause_time(t, before, force, bills, row.seller_id, s, now)
        st = rules.Transition(_restamp(t.state, at), t.event, t.reason)
        if not _store(s, row, st.state):
            continue
        _tell(n, row, st, at, "system", evidence=_overdue_ids(bills, row.seller_id, now))
        out.events.append((row.seller_id, st.event or "", st.reason))
    return out


def _overdue_ids(bills: Iterable[Bill], seller: str, at: datetime) -> list[str]:
    return [
        f"bill {b.id} due {b.due_at.date().isoformat()}"
        for b in bills
        if b.seller == seller and b.overdue_at(at)
    ]


def _restamp(st: rules.BadgeState, at: datetime) -> rules.BadgeState:
    from dataclasses import replace

    return replace(st, since=at)


def remove_badge(
    n: Notifier,
    seller_id: str,
    reason: str,
    at: datetime,
    *,
    days: int | None,
    permanent: bool,
    actor: str,
    note: str = "",
    evidence: Sequence[str] = (),
) -> BadgeRow:
    """An operator removes a shop's badge for a violation or suspected manipulation (Etsy's Star
    Seller rules):
    for `days` (the seed's 90), or permanently (never again)."""
    if reason not in BADGE_REASONS or reason in ("criteria", "unpaid_bill", "account_restricted"):
        raise Invalid(
            "an operator removes a badge for terms_violation or manipulation; "
            "the other reasons follow from the data",
            "reason",
        )
    if n.policy.badge is None:
        raise Invalid(f"marketplace preset {n.policy.name} has no badge", "badge")
    if days is not None and days < 1:
        raise Invalid("days must be at least 1", "days")
    if days is None and not permanent:
        days = n.policy.badge.removal_pause_days
    row = badge_row(n.s, seller_id, n.policy)
    t = rules.remove_for(_state(row), reason, at, days, permanent)
    if not _store(n.s, row, t.state):
        raise Conflict("the badge changed meanwhile; read it again and retry", "badge")
    if t.event is not None:
        _tell(n, row, t, at, actor, note, evidence)
    return row


def badges_of(s: Session, seller_id: str) -> list[BadgeRow]:
    return list(
        s.scalars(select(BadgeRow).where(BadgeRow.seller_id == seller_id).order_by(BadgeRow.badge))
    )


def restore_badge(
    n: Notifier, seller_id: str, bills: list[Bill], at: datetime, actor: str
) -> list[tuple[str, str, str | None]]:
    """A badge removal reversed on complaint: its exclusion and pause are cleared, and the
    badge comes back now if the last evaluation's criteria held and no bill or restriction
    blocks it (else at the next evaluation that meets them)."""
    from dataclasses import replace

    if n.policy.badge is None:
        return []
    row = badge_row(n.s, seller_id, n.policy)
    before = _state(row)
    st = replace(before, excluded=False, pause_until=None)
    overdue = {b.seller for b in bills if b.overdue_at(at)}
    blk, _ = blockers(n.s, seller_id, at, overdue)
    if st.status == "removed" and st.last_met and not blk.unpaid_bill and not blk.restricted:
        t = rules.Transition(
            replace(st, status="awarded", reason=None, since=at), "reinstated", before.reason
        )
    else:
        t = rules.Transition(st)
    if not _store(n.s, row, t.state):
        raise Conflict("the badge changed meanwhile; read it again and retry", "badge")
    if t.event is None:
        return []
    _tell(n, row, t, at, actor)
    return [(seller_id, t.event, t.reason)]

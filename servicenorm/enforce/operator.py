"""What the operator's trust & safety team does by hand: restrict a seller for a violation
(reaching every linked shop when asked, Etsy's Star Seller rules), lift a restriction or
extend its end; each with the seller told and the audit trail written."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update

from servicenorm.access.errors import Conflict, Invalid, NotFound
from servicenorm.enforce.actions import lift_action, start_action
from servicenorm.enforce.apply import restriction_notice
from servicenorm.enforce.audit import audit
from servicenorm.enforce.enforce_tables import Action
from servicenorm.enforce.event_facts import link_groups
from servicenorm.enforce.kinds import RESTRICTIONS
from servicenorm.enforce.machine import EXCEPTION_GROUNDS, NoticeException, effective
from servicenorm.enforce.notices import Notifier
from servicenorm.enforce.statements import StatementRefused, issue, note_facts, specific
from servicenorm.notify.banners import clear_banners
from servicenorm.store.tables import Seller

REASON_CODES = ("terms_violation", "manipulation", "operator")


def linked_of(n: Notifier, seller_id: str) -> list[str]:
    """The shops linked to `seller_id` (the links of every shop of its marketplace)."""
    seller = n.s.get(Seller, seller_id)
    if seller is None:
        return []
    rows = n.s.scalars(select(Seller).where(Seller.marketplace_id == seller.marketplace_id)).all()
    return sorted(
        link_groups({r.id: list(r.linked_sellers or []) for r in rows}).get(seller_id, frozenset())
    )


def restrict(
    n: Notifier,
    *,
    actor: str,
    seller_id: str,
    kind: str,
    reason_code: str,
    note: str,
    start: datetime,
    end: datetime | None = None,
    linked: bool = True,
    evidence: Sequence[str] = (),
    exception: NoticeException | None = None,
) -> list[Action]:
    """Restrict a seller by hand; with `linked`, every linked shop gets the same restriction,
    lifted together with this one. `note` states the facts and `evidence` names what shows
    them (listing, order, message ids): each restricted shop gets its statement of reasons,
    refused without evidence. A termination takes effect after the policy's notice period
    unless an Art. 4(4) `exception` is recorded with its evidence."""
    if kind not in RESTRICTIONS:
        raise Invalid(f"kind must be one of {', '.join(RESTRICTIONS)}", "kind")
    if reason_code not in REASON_CODES:
        raise Invalid(f"reason_code must be one of {', '.join(REASON_CODES)}", "reason_code")
    if not note.strip():
        raise Invalid("say why: the seller reads it", "reason")
    if n.s.get(Seller, seller_id) is None:
        raise NotFound(f"seller {seller_id!r} not found")
    if exception is not None:
        if exception.ground not in EXCEPTION_GROUNDS:
            raise Invalid(f"ground must be one of {', '.join(EXCEPTION_GROUNDS)}", "ground")
        if not any(e.strip() for e in exception.evidence):
            raise Invalid("an Art. 4(4) exception needs its evidence", "evidence")
    facts = note_facts(note, evidence)
    if not specific(facts[0]):
        raise StatementRefused(
            "no statement of reasons without a specific fact: name the evidence "
            "(listing, order or message ids) behind the restriction",
            "evidence",
        )
    stated = start
    start = effective(n.policy, kind, stated, exception)
    key = f"{n.policy.name}:{seller_id}:operator:{kind}:{stated.isoformat()}"
    main = start_action(
        n.s,
        key=key,
        seller_id=seller_id,
        policy=n.policy.name,
        kind=kind,
        origin="operator",
        reason=note,
        reason_code=reason_code,
        start=start,
        end=end,
        actor=actor,
        now=n.now,
        stated=stated,
        exception=exception,
    )
    if main is None:
        raise Invalid("this restriction was imposed already", "kind")
    out = [main]
    issue(n, main, facts)
    restriction_notice(n, main, {})
    if linked:
        for other in linked_of(n, seller_id):
            child = start_action(
                n.s,
                key=f"{key}:linked:{other}",
                seller_id=other,
                policy=n.policy.name,
                kind=kind,
                origin="linked",
                reason=f"linked shop {seller_id}: {note}",
                reason_code="linked_shop",
                start=start,
                end=end,
                actor=actor,
                now=n.now,
                parent_id=main.id,
                stated=stated,
                exception=exception,
            )
            if child is not None:
                out.append(child)
                issue(n, child, facts, linked_from=seller_id)
                restriction_notice(n, child, {"linked_from": seller_id})
    return out


def lift(n: Notifier, action_id: str, *, at: datetime, by: str, reason: str) -> list[Action]:
    """Lift a restriction (and what it extended to linked shops); each seller is told."""
    if not reason.strip():
        raise Invalid("say why the restriction is lifted", "reason")
    row = lift_action(n.s, action_id, at=at, by=by, reason=reason, now=n.now)
    lifted = [
        row,
        *n.s.scalars(
            select(Action).where(Action.parent_id == row.id, Action.lifted_at == at)
        ).all(),
    ]
    for a in lifted:
        n.mail(
            f"lifted:{a.key}",
            a.seller_id,
            "restriction_lifted",
            at,
            {"kind": a.kind, "lift_reason": reason},
        )
        clear_banners(n.s, a.seller_id, f"{n.policy.name}:action:{a.key}", at)
    return lifted


def extend(
    n: Notifier, action_id: str, *, end: datetime, at: datetime, by: str, reason: str
) -> list[Action]:
    """Move the end of an active restriction later (and of what it extended to linked shops),
    by compare-and-set; each seller is told and the audit trail says from when to when."""
    if not reason.strip():
        raise Invalid("say why the restriction lasts longer", "reason")
    row = n.s.get(Action, action_id)
    if row is None:
        raise NotFound(f"action {action_id!r} not found")
    if row.state != "active" or row.kind not in RESTRICTIONS:
        raise Invalid(f"only an active restriction is extended (state {row.state})", "action")
    if row.end_at is None:
        raise Invalid("this restriction lasts until it is lifted already", "end")
    if end <= max(row.end_at, at):
        raise Invalid("the new end is later than the current end and than now", "end")
    rows = [row, *n.s.scalars(select(Action).where(Action.parent_id == row.id)).all()]
    done: list[Action] = []
    for a in rows:
        if a.state != "active" or a.end_at is None:
            continue
        previous = a.end_at
        res = n.s.execute(
            update(Action)
            .where(Action.id == a.id, Action.state == "active", Action.version == a.version)
            .values(end_at=end, version=Action.version + 1)
            .execution_options(synchronize_session=False)
        )
        if res.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(f"action {a.id} changed meanwhile", "action")
        n.s.refresh(a)
        audit(
            n.s,
            seller_id=a.seller_id,
            subject="action",
            subject_id=a.id,
            event="extended",
            at=at,
            actor=by,
            now=n.now,
            detail={"from": previous.isoformat(), "to": end.isoformat(), "reason": reason},
        )
        n.mail(
            f"extended:{a.key}:{end.isoformat()}",
            a.seller_id,
            "restriction_extended",
            at,
            {
                "kind": a.kind,
                "previous": previous.isoformat(),
                "end": end.isoformat(),
                "extend_reason": reason,
            },
        )
        done.append(a)
    return done

"""What the operator's trust & safety team does by hand: restrict a seller for a violation
(reaching every linked shop when asked, seed 002), lift a restriction, each with the seller
told and the audit trail written."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from servicenorm.enforce.actions import lift_action, start_action
from servicenorm.enforce.apply import restriction_notice
from servicenorm.enforce.facts import link_groups
from servicenorm.enforce.kinds import RESTRICTIONS
from servicenorm.enforce.notices import Notifier
from servicenorm.enforce.tables import Action
from servicenorm.helpdesk.errors import Invalid, NotFound
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
) -> list[Action]:
    """Restrict a seller by hand; with `linked`, every linked shop gets the same restriction,
    lifted together with this one."""
    if kind not in RESTRICTIONS:
        raise Invalid(f"kind must be one of {', '.join(RESTRICTIONS)}", "kind")
    if reason_code not in REASON_CODES:
        raise Invalid(f"reason_code must be one of {', '.join(REASON_CODES)}", "reason_code")
    if not note.strip():
        raise Invalid("say why: the seller reads it", "reason")
    if n.s.get(Seller, seller_id) is None:
        raise NotFound(f"seller {seller_id!r} not found")
    key = f"{n.policy.name}:{seller_id}:operator:{kind}:{start.isoformat()}"
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
    )
    if main is None:
        raise Invalid("this restriction was imposed already", "kind")
    out = [main]
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
            )
            if child is not None:
                out.append(child)
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

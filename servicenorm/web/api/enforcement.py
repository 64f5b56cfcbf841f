"""Enforcement API (docs/enforcement.md): restrictions an operator's search, checkout and payout
systems obey, what a seller may still do, badges, banners, findings, the cost ledger,
takeovers for the platform's agents, absences and vacation mode.

Sellers (and their staff) read their own; operators and agents read their marketplace's.
Only operators restrict, lift and remove badges; agents work the takeover queue.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.access.errors import NotFound
from servicenorm.access.principal import Principal, require_role, work_seller
from servicenorm.boundary import Day, Instant
from servicenorm.enforce import absence as absence_mod
from servicenorm.enforce import badges as badges_mod
from servicenorm.enforce import operator as operator_mod
from servicenorm.enforce import takeover as takeover_mod
from servicenorm.enforce.actions import actions_of, capabilities, in_force
from servicenorm.enforce.audit import trail
from servicenorm.enforce.enforce_tables import Action, FindingRow
from servicenorm.enforce.kinds import RESOLUTIONS, RESTRICTIONS
from servicenorm.enforce.machine import NoticeException
from servicenorm.enforce.notices import Notifier
from servicenorm.notify.banners import banners_for
from servicenorm.notify.templates import LOCALES
from servicenorm.policy.stored import policy_for
from servicenorm.store.tables import Marketplace, Seller
from servicenorm.web.deps import CurrentPrincipal, NowDep, SessionDep
from servicenorm.web.schemas.common import Id, Limit, Request

router = APIRouter(prefix="/enforcement", tags=["enforcement"])
AtQuery = Annotated[Instant | None, Query(description="as of this instant (default: now)")]


class _Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class _Request(Request):
    pass


class ActionPublic(_Public):
    id: str
    seller_id: str
    kind: str
    origin: str
    reason: str
    reason_code: str
    start_at: datetime
    end_at: datetime | None = Field(description="null: until lifted")
    state: str
    lifted_at: datetime | None
    lifted_by: str | None
    lift_reason: str | None
    parent_id: str | None
    findings: list[str]
    stated_at: datetime | None = Field(
        description="when decided and stated; start_at is later "
        "for a termination in its notice period"
    )
    notice_exception: dict[str, Any] | None = Field(description="P2B Art. 4(4) ground, evidence")


class CapabilitiesPublic(BaseModel):
    seller: str
    at: datetime
    allowed: dict[str, bool] = Field(
        description="in_search, accepts_orders, payouts, can_buy, can_sell, messaging"
    )
    blocked_by: dict[str, list[str]] = Field(
        description="capability -> ids of the restrictions that block it"
    )
    shop_closed: bool
    phone_visible: bool
    deadlines_running: bool


class AuditPublic(_Public):
    id: str
    seller_id: str
    subject: str
    subject_id: str
    event: str
    at: datetime
    actor: str
    detail: dict[str, Any]


class FindingPublic(_Public):
    id: str
    seller_id: str
    norm: str
    value: float
    threshold: float
    comparison: str
    window_from: str
    window_to: str
    detail: str
    in_score: bool
    evidence: list[str]
    at: datetime


class BadgePublic(_Public):
    badge: str
    status: str
    reason: str | None
    since: datetime | None
    pause_until: datetime | None
    excluded: bool
    last_check: dict[str, Any]


class BannerPublic(BaseModel):
    id: str
    page: str
    level: str
    text: str
    start: datetime
    end: datetime | None


class LedgerPublic(_Public):
    id: str
    seller_id: str
    takeover_id: str | None
    amount: str
    currency: str
    description: str
    at: datetime


class TakeoverPublic(_Public):
    id: str
    seller_id: str
    conversation_id: str | None
    order_id: str | None
    case_id: str | None
    trigger: str
    note: str
    state: str
    at: datetime
    agent_id: str | None
    resolution: str | None
    resolved_at: datetime | None


class AbsencePublic(_Public):
    id: str
    seller_id: str
    start: str
    end: str
    announced_at: datetime
    working_days: int
    notice_needed_by: datetime | None
    late: bool
    coverage: str


class NoticeExceptionIn(_Request):
    ground: Literal["legal_obligation", "imperative_reason", "repeated_infringement"]
    evidence: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=100, description="for repeated infringement: earlier decisions"
    )


class RestrictionCreate(_Request):
    kind: Literal[RESTRICTIONS]  # type: ignore[valid-type]
    reason_code: Literal["terms_violation", "manipulation", "operator"]
    reason: str = Field(min_length=1, max_length=2000, description="why; the seller reads it")
    end: Instant | None = Field(default=None, description="null: until lifted")
    linked: bool = Field(
        default=True, description="extend to every linked shop (Etsy's Star Seller rules)"
    )
    evidence: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default=[],
        max_length=100,
        description="what shows the facts (listing, order, message ids); the statement of "
        "reasons is refused without it",
    )
    notice_exception: NoticeExceptionIn | None = Field(
        default=None,
        description="P2B Art. 4(4): a termination without the 30 days' notice, with evidence",
    )


class Lift(_Request):
    reason: str = Field(min_length=1, max_length=2000)


class BadgeRemoval(_Request):
    reason: Literal["terms_violation", "manipulation"]
    days: int | None = Field(
        default=None, ge=1, description="default: the policy's removal period (90 days)"
    )
    permanent: bool = False
    note: str = Field(default="", max_length=2000, description="the facts; the seller reads them")
    evidence: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default=[],
        max_length=100,
        description="what shows the facts; the statement of reasons is refused without it",
    )


class TakeoverCreate(_Request):
    trigger: str
    conversation: Id | None = None
    order: Id | None = None
    case: Id | None = None
    note: str = Field(default="", max_length=2000)


class Resolve(_Request):
    resolution: Literal[RESOLUTIONS]  # type: ignore[valid-type]
    note: str = Field(default="", max_length=2000)
    cost: str | None = Field(
        default=None, pattern=r"^\d+(\.\d{1,2})?$", description="default: the policy's cost"
    )


class AbsenceCreate(_Request):
    start: Day
    end: Day


class Vacation(_Request):
    closed: bool


def _seller(s: Session, p: Principal, seller_id: str) -> Seller:
    seller = s.get(Seller, seller_id)
    if seller is None:
        raise NotFound(f"seller {seller_id!r} not found")
    work_seller(p, seller)
    return seller


def _notifier(s: Session, seller: Seller, now: datetime) -> Notifier:
    market = s.get(Marketplace, seller.marketplace_id)
    assert market is not None
    return Notifier(s, policy_for(market.preset), now)


@router.get("/restrictions", response_model=list[ActionPublic])
def restrictions(
    s: SessionDep, p: CurrentPrincipal, now: NowDep, seller: Id | None = None, at: AtQuery = None
) -> list[ActionPublic]:
    """Restrictions in force at `at`: what search, checkout and payouts must obey."""
    if seller is not None:
        _seller(s, p, seller)
        ids: list[str] | None = [seller]
    else:
        require_role(p, "operator", "agent")
        ids = (
            None
            if p.marketplace_id is None
            else list(s.scalars(select(Seller.id).where(Seller.marketplace_id == p.marketplace_id)))
        )
    return [ActionPublic.model_validate(a) for a in in_force(s, at or now, ids)]


@router.get("/sellers/{seller_id}/capabilities", response_model=CapabilitiesPublic)
def get_capabilities(
    seller_id: Id, s: SessionDep, p: CurrentPrincipal, now: NowDep, at: AtQuery = None
) -> CapabilitiesPublic:
    _seller(s, p, seller_id)
    c = capabilities(s, seller_id, at or now)
    return CapabilitiesPublic(
        seller=c.seller_id,
        at=c.at,
        allowed=c.allowed,
        blocked_by=c.blocked_by,
        shop_closed=c.shop_closed,
        phone_visible=c.phone_visible,
        deadlines_running=c.deadlines_running,
    )


@router.get("/sellers/{seller_id}/actions", response_model=list[ActionPublic])
def get_actions(
    seller_id: Id, s: SessionDep, p: CurrentPrincipal, limit: Limit = 200
) -> list[ActionPublic]:
    _seller(s, p, seller_id)
    return [ActionPublic.model_validate(a) for a in actions_of(s, seller_id, limit)]


@router.get("/sellers/{seller_id}/findings", response_model=list[FindingPublic])
def get_findings(
    seller_id: Id, s: SessionDep, p: CurrentPrincipal, limit: Limit = 200
) -> list[FindingPublic]:
    _seller(s, p, seller_id)
    rows = s.scalars(
        select(FindingRow)
        .where(FindingRow.seller_id == seller_id)
        .order_by(FindingRow.at.desc(), FindingRow.norm)
        .limit(limit)
    )
    return [FindingPublic.model_validate(r) for r in rows]


@router.get("/sellers/{seller_id}/badges", response_model=list[BadgePublic])
def get_badges(seller_id: Id, s: SessionDep, p: CurrentPrincipal) -> list[BadgePublic]:
    _seller(s, p, seller_id)
    return [BadgePublic.model_validate(b) for b in badges_mod.badges_of(s, seller_id)]


@router.get("/sellers/{seller_id}/banners", response_model=list[BannerPublic])
def get_banners(
    seller_id: Id,
    s: SessionDep,
    p: CurrentPrincipal,
    now: NowDep,
    at: AtQuery = None,
    page: Literal["performance", "badge"] | None = None,
    locale: Annotated[str | None, Query(pattern=r"^(nl|fr|de|pl|en)$")] = None,
) -> list[BannerPublic]:
    """The seller's banners in its language (or `locale`)."""
    seller = _seller(s, p, seller_id)
    n = _notifier(s, seller, now)
    loc = locale or n.locale_of(seller_id)[1]
    assert loc in LOCALES
    return [
        BannerPublic(id=b.id, page=b.page, level=b.level, text=b.text, start=b.start, end=b.end)
        for b in banners_for(s, seller_id, at or now, loc, page)
    ]


@router.get("/sellers/{seller_id}/ledger", response_model=list[LedgerPublic])
def get_ledger(seller_id: Id, s: SessionDep, p: CurrentPrincipal) -> list[LedgerPublic]:
    _seller(s, p, seller_id)
    return [LedgerPublic.model_validate(e) for e in takeover_mod.ledger(s, seller_id)]


@router.get("/sellers/{seller_id}/audit", response_model=list[AuditPublic])
def get_audit(
    seller_id: Id, s: SessionDep, p: CurrentPrincipal, limit: Limit = 500
) -> list[AuditPublic]:
    _seller(s, p, seller_id)
    require_role(p, "operator", "agent")
    return [AuditPublic.model_validate(e) for e in trail(s, seller_id=seller_id, limit=limit)]


@router.post(
    "/sellers/{seller_id}/restrictions",
    status_code=status.HTTP_201_CREATED,
    response_model=list[ActionPublic],
)
def create_restriction(
    seller_id: Id, body: RestrictionCreate, s: SessionDep, p: CurrentPrincipal, now: NowDep
) -> list[ActionPublic]:
    """An operator restricts a seller for a violation; with `linked`, its linked shops too."""
    require_role(p, "operator")
    seller = _seller(s, p, seller_id)
    rows = operator_mod.restrict(
        _notifier(s, seller, now),
        actor=p.account_id,
        seller_id=seller_id,
        kind=body.kind,
        reason_code=body.reason_code,
        note=body.reason,
        start=now,
        end=body.end,
        linked=body.linked,
        evidence=body.evidence,
        exception=None
        if body.notice_exception is None
        else NoticeException(body.notice_exception.ground, tuple(body.notice_exception.evidence)),
    )
    s.commit()
    return [ActionPublic.model_validate(a) for a in rows]


@router.post("/actions/{action_id}/lift", response_model=list[ActionPublic])
def lift_restriction(
    action_id: Id, body: Lift, s: SessionDep, p: CurrentPrincipal, now: NowDep
) -> list[ActionPublic]:
    require_role(p, "operator")
    row = s.get(Action, action_id)
    if row is None:
        raise NotFound(f"action {action_id!r} not found")
    seller = _seller(s, p, row.seller_id)
    lifted = operator_mod.lift(
        _notifier(s, seller, now), action_id, at=now, by=p.account_id, reason=body.reason
    )
    s.commit()
    return [ActionPublic.model_validate(a) for a in lifted]


@router.post("/sellers/{seller_id}/badge-removals", response_model=BadgePublic)
def remove_badge(
    seller_id: Id, body: BadgeRemoval, s: SessionDep, p: CurrentPrincipal, now: NowDep
) -> BadgePublic:
    """Remove a shop's badge for a violation or suspected manipulation: for `days` or for good.
    The shop's linked shops keep theirs (Etsy's Star Seller rules)."""
    require_role(p, "operator")
    seller = _seller(s, p, seller_id)
    row = badges_mod.remove_badge(
        _notifier(s, seller, now),
        seller_id,
        body.reason,
        now,
        days=body.days,
        permanent=body.permanent,
        actor=p.account_id,
        note=body.note,
        evidence=body.evidence,
    )
    s.commit()
    return BadgePublic.model_validate(row)


@router.get("/takeovers", response_model=list[TakeoverPublic])
def list_takeovers(
    s: SessionDep,
    p: CurrentPrincipal,
    state: Literal["queued", "assigned", "resolved"] | None = "queued",
    seller: Id | None = None,
    limit: Limit = 100,
) -> list[TakeoverPublic]:
    """The platform's takeover queue, oldest first."""
    rows = takeover_mod.queue(s, p, takeover_mod.QueueFilter(state, seller), limit)
    return [TakeoverPublic.model_validate(t) for t in rows]


def _takeover_notifier(s: Session, p: Principal, takeover_id: str, now: datetime) -> Notifier:
    from servicenorm.enforce.enforce_tables import Takeover

    row = s.get(Takeover, takeover_id)
    if row is None or not p.is_platform or not p.in_marketplace(row.marketplace):
        raise NotFound(f"takeover {takeover_id!r} not found")
    return _notifier(s, _seller(s, p, row.seller_id), now)


@router.post("/takeovers", status_code=status.HTTP_201_CREATED, response_model=TakeoverPublic)
def create_takeover(
    body: TakeoverCreate, s: SessionDep, p: CurrentPrincipal, now: NowDep
) -> TakeoverPublic:
    """Take a conversation over at once: a serious violation (locked device, IMEI blacklist,
    Apple ID or Google account lock, counterfeit, unsafe product) or a dispute."""
    require_role(p, "operator", "agent")
    from servicenorm.store.tables import Conversation, Order

    seller_id = None
    if body.conversation is not None:
        conv = s.get(Conversation, body.conversation)
        seller_id = conv.seller_id if conv else None
    elif body.order is not None:
        order = s.get(Order, body.order)
        seller_id = order.seller_id if order else None
    if seller_id is None:
        raise NotFound("conversation or order not found")
    n = _notifier(s, _seller(s, p, seller_id), now)
    t = takeover_mod.report(
        n,
        p,
        trigger=body.trigger,
        now=now,
        conversation_id=body.conversation,
        order_id=body.order,
        case_id=body.case,
        note=body.note,
    )
    s.commit()
    return TakeoverPublic.model_validate(t)


@router.post("/takeovers/{takeover_id}/assign", response_model=TakeoverPublic)
def assign_takeover(
    takeover_id: Id, s: SessionDep, p: CurrentPrincipal, now: NowDep
) -> TakeoverPublic:
    t = takeover_mod.assign(_takeover_notifier(s, p, takeover_id, now), p, takeover_id, now)
    s.commit()
    return TakeoverPublic.model_validate(t)


@router.post("/takeovers/{takeover_id}/resolve", response_model=TakeoverPublic)
def resolve_takeover(
    takeover_id: Id, body: Resolve, s: SessionDep, p: CurrentPrincipal, now: NowDep
) -> TakeoverPublic:
    """Settle the return or complaint; the cost goes to the seller's ledger once."""
    t, _entry = takeover_mod.resolve(
        _takeover_notifier(s, p, takeover_id, now),
        p,
        takeover_id,
        resolution=body.resolution,
        now=now,
        note=body.note,
        cost=body.cost,
    )
    s.commit()
    return TakeoverPublic.model_validate(t)


@router.get("/sellers/{seller_id}/absences", response_model=list[AbsencePublic])
def get_absences(seller_id: Id, s: SessionDep, p: CurrentPrincipal) -> list[AbsencePublic]:
    _seller(s, p, seller_id)
    return [AbsencePublic.model_validate(a) for a in absence_mod.absences_of(s, seller_id)]


@router.post(
    "/sellers/{seller_id}/absences",
    status_code=status.HTTP_201_CREATED,
    response_model=AbsencePublic,
)
def announce_absence(
    seller_id: Id, body: AbsenceCreate, s: SessionDep, p: CurrentPrincipal, now: NowDep
) -> AbsencePublic:
    """Announce an absence: more than the policy's working days need the policy's notice."""
    seller = _seller(s, p, seller_id)
    a = absence_mod.announce(_notifier(s, seller, now), p, seller_id, body.start, body.end, now)
    s.commit()
    return AbsencePublic.model_validate(a)


@router.put("/sellers/{seller_id}/vacation", response_model=CapabilitiesPublic)
def set_vacation(
    seller_id: Id, body: Vacation, s: SessionDep, p: CurrentPrincipal, now: NowDep
) -> CapabilitiesPublic:
    """Vacation mode / temporary closure: no new orders, phone hidden; deadlines keep running."""
    _seller(s, p, seller_id)
    absence_mod.set_vacation(s, p, seller_id, body.closed, now)
    s.commit()
    return get_capabilities(seller_id, s, p, now)

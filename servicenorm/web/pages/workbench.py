"""The platform's workbench on the pages: the takeover inbox for agents (conversations the
platform took over, and enforcement's takeover queue), taking a conversation over, taking a
queued takeover, and lifting a restriction. Each action calls the same function as its API
route (`helpdesk.conversations.take_over`, `enforce.takeover.assign`, `enforce.operator.lift`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.access.errors import DomainError, Forbidden, NotFound
from servicenorm.access.principal import Principal, work_seller
from servicenorm.enforce import notices, operator, takeover
from servicenorm.enforce.enforce_tables import Action, Takeover
from servicenorm.helpdesk import conversations as conv
from servicenorm.policy.stored import policy_for
from servicenorm.store.tables import Buyer, Conversation, Marketplace, Seller
from servicenorm.web.deps import NowDep, SessionDep
from servicenorm.web.pages import enforcement
from servicenorm.web.pages.auth import error_page
from servicenorm.web.pages.render import language_of, render
from servicenorm.web.pages.session import CurrentViewer, check_csrf

router = APIRouter(include_in_schema=False)
SHOWN = 200


@dataclass(frozen=True)
class TakenRow:
    conversation: Conversation
    seller: str
    buyer: str
    mine: bool


def _platform(p: Principal) -> None:
    if not p.is_platform:
        raise Forbidden("the takeover inbox is the platform's")


def taken_over(s: Session, p: Principal) -> list[TakenRow]:
    """Open conversations the platform took over in `p`'s scope, those waiting first."""
    q = (
        select(Conversation, Seller.name, Buyer.name)
        .join(Seller, Seller.id == Conversation.seller_id)
        .join(Buyer, Buyer.id == Conversation.buyer_id)
        .where(Conversation.taken_over_at.isnot(None), Conversation.closed_at.is_(None))
    )
    if p.marketplace_id is not None:
        q = q.where(Seller.marketplace_id == p.marketplace_id)
    q = q.order_by(
        Conversation.deadline.is_(None), Conversation.deadline, Conversation.taken_over_at
    ).limit(SHOWN)
    return [
        TakenRow(c, seller, buyer, c.taken_over_by == p.account_id)
        for c, seller, buyer in s.execute(q).all()
    ]


@router.get("/ui/takeovers")
def inbox(request: Request, viewer: CurrentViewer, s: SessionDep) -> HTMLResponse:
    p = viewer.principal
    try:
        _platform(p)
    except DomainError as e:
        return error_page(request, e, viewer)
    lang = language_of(request)
    queued = [
        t for t in takeover.queue(s, p, takeover.QueueFilter(None), SHOWN) if t.state != "resolved"
    ]
    names = {k: v for k, v in s.execute(select(Seller.id, Seller.name)).all()} if queued else {}
    return render(
        request,
        "takeovers.html",
        viewer=viewer,
        rows=taken_over(s, p),
        queued=queued,
        names=names,
        trigger=lambda k: enforcement.label(lang, "trigger", k),
        active="takeovers",
    )


@router.post("/ui/conversations/{conversation_id}/takeover")
def take_over(
    request: Request,
    conversation_id: str,
    viewer: CurrentViewer,
    s: SessionDep,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """The platform takes the conversation over; its agent answers from now on."""
    check_csrf(viewer, csrf)
    try:
        conv.take_over(
            s,
            viewer.principal,
            conversation_id,
            now,
            record=takeover.record_conversation_takeover,
        )
        s.commit()
    except DomainError as e:
        s.rollback()
        return error_page(request, e, viewer)
    return RedirectResponse(f"/ui/conversations/{conversation_id}?taken=1", status_code=303)


@router.post("/ui/takeovers/{takeover_id}/assign")
def assign(
    request: Request,
    takeover_id: str,
    viewer: CurrentViewer,
    s: SessionDep,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """An agent takes a queued takeover: assigned to them, the seller told."""
    check_csrf(viewer, csrf)
    try:
        row = s.get(Takeover, takeover_id)
        p = viewer.principal
        if row is None or not p.is_platform or not p.in_marketplace(row.marketplace):
            raise NotFound(f"takeover {takeover_id!r} not found")
        market = s.get(Marketplace, row.marketplace)
        assert market is not None
        takeover.assign(notices.Notifier(s, policy_for(market.preset), now), p, takeover_id, now)
        s.commit()
    except DomainError as e:
        s.rollback()
        return error_page(request, e, viewer)
    return RedirectResponse("/ui/takeovers?assigned=1", status_code=303)


@router.post("/ui/actions/{action_id}/lift")
def lift(
    request: Request,
    action_id: str,
    viewer: CurrentViewer,
    s: SessionDep,
    now: NowDep,
    reason: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form()] = "",
    back: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """An operator lifts a restriction, saying why; the seller is told. From the overview, or
    from the seller's history page (`back=history`)."""
    check_csrf(viewer, csrf)
    p = viewer.principal
    seller_id = ""
    try:
        if p.role != "operator":
            raise Forbidden("operators lift restrictions")
        row = s.get(Action, action_id)
        if row is None:
            raise NotFound(f"action {action_id!r} not found")
        seller = s.get(Seller, row.seller_id)
        assert seller is not None
        work_seller(p, seller)
        seller_id = seller.id
        market = s.get(Marketplace, seller.marketplace_id)
        assert market is not None
        n = notices.Notifier(s, policy_for(market.preset), now)
        operator.lift(n, action_id, at=now, by=p.account_id, reason=reason)
        s.commit()
    except DomainError as e:
        s.rollback()
        if e.status in (403, 404):
            return error_page(request, e, viewer)
        if back == "history":
            return RedirectResponse(
                f"/ui/sellers/{seller_id}/history?failed=lift#actions-h", status_code=303
            )
        return RedirectResponse("/ui/overview?lift_error=1#actions-h", status_code=303)
    if back == "history":
        return RedirectResponse(f"/ui/sellers/{seller_id}/history?done=lift#actions-h", 303)
    return RedirectResponse("/ui/overview?lifted=1#actions-h", status_code=303)

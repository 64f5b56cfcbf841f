"""What the platform does from a seller's history page: send a waiting e-mail again or withdraw
it, write to the seller, restrict the seller, extend a restriction, and hand a taken-over
conversation to an agent. Each form calls the function its API route or enforcement uses
(`enforce.outreach`, `enforce.operator`, `enforce.assignment`) and comes back to the history
page saying what happened (`?done=`) or what did not (`?failed=`, with the field)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from servicenorm.access.errors import DomainError, Forbidden, Invalid, NotFound
from servicenorm.access.principal import Principal
from servicenorm.enforce import assignment, operator, outreach
from servicenorm.enforce.enforce_tables import Action
from servicenorm.enforce.notices import Notifier
from servicenorm.policy.stored import policy_for
from servicenorm.store.tables import Conversation, Seller
from servicenorm.web.deps import NowDep, SessionDep
from servicenorm.web.pages.auth import error_page
from servicenorm.web.pages.history import platform_seller
from servicenorm.web.pages.session import CurrentViewer, Viewer, check_csrf

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=5000)]


def back(seller_id: str, section: str, **query: str) -> RedirectResponse:
    return RedirectResponse(
        f"/ui/sellers/{seller_id}/history?{urlencode(query)}#{section}", status_code=303
    )


def _operator(p: Principal) -> None:
    if p.role != "operator":
        raise Forbidden("operators restrict sellers")


def local_instant(text: str, zone: ZoneInfo, field: str) -> datetime:
    """A date and time typed in the marketplace's zone (the form's datetime-local value)."""
    try:
        naive = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Invalid("give a date and a time", field) from None
    if naive.tzinfo is not None:
        raise Invalid("give a local date and time", field)
    return naive.replace(tzinfo=zone)


def _act(
    request: Request,
    s: Session,
    seller_id: str,
    viewer: Viewer,
    now: datetime,
    section: str,
    what: str,
    act: Callable[[Notifier, Seller], object],
) -> Response:
    """Run `act` for the seller's marketplace and commit, then back to the history page."""
    try:
        seller, market = platform_seller(s, viewer.principal, seller_id)
        act(Notifier(s, policy_for(market.preset), now), seller)
        s.commit()
    except DomainError as e:
        s.rollback()
        if e.status in (403, 404):
            return error_page(request, e, viewer)
        return back(seller_id, section, failed=what, field=e.field or "")
    return back(seller_id, section, done=what)


@router.post("/ui/sellers/{seller_id}/emails/{message_id}/resend")
def resend(
    request: Request,
    seller_id: str,
    message_id: str,
    viewer: CurrentViewer,
    s: SessionDep,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(viewer, csrf)
    p = viewer.principal
    return _act(
        request,
        s,
        seller_id,
        viewer,
        now,
        "emails-h",
        "resend",
        lambda n, x: outreach.resend(n, x.id, message_id, by=p.account_id),
    )


@router.post("/ui/sellers/{seller_id}/emails/{message_id}/cancel")
def cancel(
    request: Request,
    seller_id: str,
    message_id: str,
    viewer: CurrentViewer,
    s: SessionDep,
    now: NowDep,
    reason: Text = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(viewer, csrf)
    p = viewer.principal
    return _act(
        request,
        s,
        seller_id,
        viewer,
        now,
        "emails-h",
        "cancel",
        lambda n, x: outreach.cancel(n, x.id, message_id, by=p.account_id, reason=reason),
    )


@router.post("/ui/sellers/{seller_id}/contact")
def contact(
    request: Request,
    seller_id: str,
    viewer: CurrentViewer,
    s: SessionDep,
    now: NowDep,
    subject: Annotated[str, Form(max_length=200)] = "",
    text: Text = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(viewer, csrf)
    p = viewer.principal
    return _act(
        request,
        s,
        seller_id,
        viewer,
        now,
        "contact-h",
        "contact",
        lambda n, x: outreach.contact(n, x.id, by=p.account_id, subject=subject, text=text),
    )


@router.post("/ui/sellers/{seller_id}/restrict")
def restrict(
    request: Request,
    seller_id: str,
    viewer: CurrentViewer,
    s: SessionDep,
    now: NowDep,
    kind: Annotated[str, Form(max_length=30)] = "",
    reason_code: Annotated[str, Form(max_length=30)] = "",
    reason: Text = "",
    evidence: Annotated[str, Form(max_length=2000)] = "",
    end: Annotated[str, Form(max_length=30)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """An operator restricts the seller (and its linked shops), naming the evidence."""
    check_csrf(viewer, csrf)
    p = viewer.principal

    def act(n: Notifier, x: Seller) -> object:
        _operator(p)
        until = local_instant(end, ZoneInfo(n.policy.zone), "end") if end.strip() else None
        return operator.restrict(
            n,
            actor=p.account_id,
            seller_id=x.id,
            kind=kind,
            reason_code=reason_code,
            note=reason,
            start=now,
            end=until,
            evidence=[e for e in evidence.replace(",", " ").split() if e],
        )

    return _act(request, s, seller_id, viewer, now, "actions-h", "restrict", act)


@router.post("/ui/actions/{action_id}/extend")
def extend(
    request: Request,
    action_id: str,
    viewer: CurrentViewer,
    s: SessionDep,
    now: NowDep,
    end: Annotated[str, Form(max_length=30)] = "",
    reason: Text = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """An operator moves a restriction's end later, saying why."""
    check_csrf(viewer, csrf)
    p = viewer.principal
    row = s.get(Action, action_id)
    if row is None:
        return error_page(request, NotFound(f"action {action_id!r} not found"), viewer)

    def act(n: Notifier, x: Seller) -> object:
        _operator(p)
        until = local_instant(end, ZoneInfo(n.policy.zone), "end")
        return operator.extend(n, action_id, end=until, at=now, by=p.account_id, reason=reason)

    return _act(request, s, row.seller_id, viewer, now, "actions-h", "extend", act)


@router.post("/ui/conversations/{conversation_id}/assign")
def assign(
    request: Request,
    conversation_id: str,
    viewer: CurrentViewer,
    s: SessionDep,
    now: NowDep,
    agent: Annotated[str, Form(max_length=32)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Hand a conversation the platform took over to one of the marketplace's agents."""
    check_csrf(viewer, csrf)
    p = viewer.principal
    conv = s.get(Conversation, conversation_id)
    seller = None if conv is None else s.get(Seller, conv.seller_id)
    if conv is None or seller is None:
        return error_page(request, NotFound("conversation not found"), viewer)
    return _act(
        request,
        s,
        seller.id,
        viewer,
        now,
        "taken-h",
        "assign",
        lambda n, x: assignment.assign_to(s, p, conversation_id, agent, now),
    )

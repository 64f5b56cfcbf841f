"""A small buyer page for the demo: the buyer's conversations with their whole thread, asking
about an order, and writing back. A real marketplace embeds the API in its own site; this
page goes through the same helpdesk functions (`open_question`, `post_message`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.access.errors import DomainError
from servicenorm.helpdesk import conversations as conv
from servicenorm.store.tables import Buyer, Conversation, Marketplace, Message, Order, Seller
from servicenorm.web.deps import NowDep, SessionDep
from servicenorm.web.pages.auth import error_page
from servicenorm.web.pages.render import render
from servicenorm.web.pages.session import CurrentViewer, Viewer, check_csrf

router = APIRouter(include_in_schema=False)
SHOWN = 20  # the latest conversations on the page


@dataclass(frozen=True)
class BuyerThread:
    conversation: Conversation
    seller: str
    messages: list[Message]


def _threads(s: Session, viewer: Viewer) -> list[BuyerThread]:
    rows = conv.list_conversations(
        s, viewer.principal, seller_id=None, buyer_id=None, waiting=None, limit=SHOWN, offset=0
    )
    if not rows:
        return []
    names: dict[str, str] = {
        k: v
        for k, v in s.execute(
            select(Seller.id, Seller.name).where(Seller.id.in_({c.seller_id for c in rows}))
        ).all()
    }
    msgs: dict[str, list[Message]] = {}
    for m in s.scalars(
        select(Message)
        .where(Message.conversation_id.in_([c.id for c in rows]))
        .order_by(Message.at, Message.id)
    ):
        msgs.setdefault(m.conversation_id, []).append(m)
    return [BuyerThread(c, names.get(c.seller_id, c.seller_id), msgs.get(c.id, [])) for c in rows]


def _page(
    request: Request, s: Session, viewer: Viewer, error: str = "", status_code: int = 200
) -> HTMLResponse:
    p = viewer.principal
    buyer = s.get(Buyer, p.buyer_id) if p.buyer_id else None
    market = s.get(Marketplace, buyer.marketplace_id) if buyer else None
    orders = (
        list(
            s.scalars(
                select(Order)
                .where(Order.buyer_id == buyer.id)
                .order_by(Order.placed_at.desc())
                .limit(SHOWN)
            )
        )
        if buyer
        else []
    )
    return render(
        request,
        "buyer.html",
        status_code=status_code,
        viewer=viewer,
        market=market,
        buyer=buyer,
        threads=_threads(s, viewer),
        orders=orders,
        error=error,
        sent=request.query_params.get("sent"),
        active="buyer",
    )


@router.get("/ui/buyer")
def buyer_page(request: Request, viewer: CurrentViewer, s: SessionDep) -> HTMLResponse:
    if viewer.principal.role != "buyer":
        return error_page(request, None, viewer)
    return _page(request, s, viewer)


@router.post("/ui/buyer/ask")
def ask(
    request: Request,
    viewer: CurrentViewer,
    s: SessionDep,
    now: NowDep,
    order: Annotated[str, Form(max_length=100)],
    body: Annotated[str, Form(max_length=20_000)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(viewer, csrf)
    if viewer.principal.role != "buyer":
        return error_page(request, None, viewer)
    row = s.get(Order, order)
    if row is None or row.buyer_id != viewer.principal.buyer_id:
        return _page(request, s, viewer, "buyer.unknown_order", 422)
    if not body.strip():
        return _page(request, s, viewer, "buyer.empty", 422)
    try:
        thread = conv.open_question(
            s, viewer.principal, seller_id=row.seller_id, body=body, now=now, order_id=row.id
        )
        s.commit()
    except DomainError:
        s.rollback()
        return _page(request, s, viewer, "buyer.not_sent", 422)
    return _sent(thread.conversation.id, thread.messages[-1].original_body is not None)


def _sent(conversation_id: str, masked: bool) -> RedirectResponse:
    """Back to the page, saying it was sent and, when the policy masked contact details, that
    the seller reads the message without them."""
    extra = "&masked=1" if masked else ""
    return RedirectResponse(f"/ui/buyer?sent={conversation_id}{extra}", status_code=303)


@router.post("/ui/buyer/conversations/{conversation_id}")
def write(
    request: Request,
    conversation_id: str,
    viewer: CurrentViewer,
    s: SessionDep,
    now: NowDep,
    body: Annotated[str, Form(max_length=20_000)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(viewer, csrf)
    if viewer.principal.role != "buyer":
        return error_page(request, None, viewer)
    if not body.strip():
        return _page(request, s, viewer, "buyer.empty", 422)
    try:
        posted = conv.post_message(s, viewer.principal, conversation_id, now=now, body=body)
        s.commit()
    except DomainError as e:
        s.rollback()
        if e.status == 404:
            return error_page(request, e, viewer)
        return _page(request, s, viewer, "buyer.not_sent", 422)
    return _sent(conversation_id, posted.original_body is not None)

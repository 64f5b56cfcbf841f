"""The seller's queue page: open questions by deadline with a live countdown, and answering
from the queue through the helpdesk's own `post_message` (the API's code path)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from servicenorm.access.errors import Blocked, DomainError
from servicenorm.access.principal import Principal
from servicenorm.clock import to_us
from servicenorm.helpdesk import conversations as conv
from servicenorm.helpdesk import waivers
from servicenorm.helpdesk.directory import seller_row
from servicenorm.store.tables import Marketplace, Seller
from servicenorm.web.deps import NowDep, SessionDep
from servicenorm.web.i18n import texts
from servicenorm.web.pages import compose
from servicenorm.web.pages.auth import error_page
from servicenorm.web.pages.queue_model import (
    ORDERS,
    SHOWS,
    QueueRow,
    QueueView,
    clock_state,
    queue_view,
)
from servicenorm.web.pages.render import language_of, render
from servicenorm.web.pages.replies import ReplyError, masked_text, may_waive
from servicenorm.web.pages.session import CurrentViewer, Viewer, check_csrf

router = APIRouter(include_in_schema=False)
ALWAYS = timedelta(
    days=7
)  # a clock that runs this long without a break is "running", without an end


def may_answer(p: Principal, row: QueueRow) -> bool:
    taken = row.item.conversation.taken_over_at is not None
    return (p.role in ("seller", "staff") and not taken) or (p.role == "agent" and taken)


def _ms(t: datetime) -> int:
    return to_us(t) // 1000


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text else default
    except ValueError:
        return default


def view_of(
    request: Request, s: Session, viewer: Viewer, seller: Seller, now: datetime
) -> QueueView:
    """The page of the queue the request asks for (?order=, ?show=, ?q=, ?page=)."""
    qp = request.query_params
    return queue_view(
        s,
        viewer.principal,
        seller,
        now,
        order=qp.get("order") or "overdue",
        show=qp.get("show") or "all",
        search=(qp.get("q") or "")[:200],
        page=_int(qp.get("page"), 1),
    )


def countdown(view: QueueView, now: datetime) -> dict[str, Any]:
    """What the countdown script needs: the state at `now` and when it changes."""
    rows = view.rows
    clock = clock_state(view.calendar, now)
    return {
        "now": _ms(now),
        "running": clock.running,
        "change_at": _ms(clock.change_at),
        "change_at_text": clock.change_at.isoformat(),
        "items": [
            {"id": r.id, "left": r.left_s, "over": r.over_s, "state": r.item.state} for r in rows
        ],
    }


def _page(
    request: Request,
    s: Session,
    viewer: Viewer,
    seller: Seller,
    now: datetime,
    error: ReplyError | None = None,
) -> HTMLResponse:
    view = view_of(request, s, viewer, seller, now)
    rows, state = view.rows, countdown(view, now)
    market = s.get(Marketplace, seller.marketplace_id)
    assert market is not None  # foreign key
    waivable = waivers.allowed(market.preset)
    change_at = datetime.fromisoformat(state["change_at_text"])
    return render(
        request,
        "queue.html",
        status_code=422 if error else 200,
        viewer=viewer,
        seller=seller,
        market=market,
        rows=rows,
        view=view,
        orders=ORDERS,
        shows=SHOWS,
        query=urlencode(view.params()),
        page_url=lambda n: f"?{urlencode(view.params(page=n))}",
        state=state,
        change_at=change_at,
        always=change_at - now > ALWAYS,
        may_answer=lambda r: may_answer(viewer.principal, r),
        may_waive=lambda r: may_waive(viewer.principal, r.item.conversation, waivable),
        waived=request.query_params.get("waived") == "1",
        sent=request.query_params.get("sent"),
        sent_masked=masked_text(request.query_params.get("masked"), language_of(request)),
        error=error,
        active="queue",
    )


@router.get("/ui/sellers/{seller_id}/queue")
def queue_page(
    request: Request, seller_id: str, viewer: CurrentViewer, s: SessionDep, now: NowDep
) -> HTMLResponse:
    try:
        return _page(request, s, viewer, seller_row(s, seller_id), now)
    except DomainError as e:
        return error_page(request, e, viewer)


@router.get("/ui/sellers/{seller_id}/queue.json")
def queue_state(
    request: Request, seller_id: str, viewer: CurrentViewer, s: SessionDep, now: NowDep
) -> Response:
    """The countdown's refresh: working time left per open question of the page at `now`."""
    try:
        state = countdown(view_of(request, s, viewer, seller_row(s, seller_id), now), now)
    except DomainError as e:
        return JSONResponse({"detail": e.message}, status_code=e.status)
    return JSONResponse(state, headers={"Cache-Control": "no-store"})


@router.post("/ui/conversations/{conversation_id}/reply")
def reply(
    request: Request,
    conversation_id: str,
    viewer: CurrentViewer,
    s: SessionDep,
    now: NowDep,
    body: Annotated[str, Form(max_length=20_000)],
    csrf: Annotated[str, Form()] = "",
    masked_ok: Annotated[str, Form(max_length=1)] = "",
    back: Annotated[str, Form(max_length=20)] = "",
    saved_reply: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """An answer from the queue or the conversation page (`back=conversation`), optionally
    a saved reply edited for the buyer (`saved_reply`)."""
    check_csrf(viewer, csrf)
    try:
        seller = conv.get_thread(s, viewer.principal, conversation_id).seller
    except DomainError as e:
        return error_page(request, e, viewer)
    t = texts(language_of(request))

    def again(message: str, masked: str | None = None) -> HTMLResponse:
        s.rollback()
        error = ReplyError(conversation_id, message, body, masked)
        if back == "conversation":
            from servicenorm.web.pages.conversation import page as conversation_page

            return conversation_page(request, s, viewer, conversation_id, error)
        return _page(request, s, viewer, seller, now, error)

    try:
        pv = compose.preview(s, viewer.principal, conversation_id, body)
        if pv.action == "block":
            return again(compose.explain(pv, t))
        if pv.action == "mask" and masked_ok != "1":
            return again(compose.explain(pv, t), pv.delivered)  # never masked silently
        conv.post_message(
            s,
            viewer.principal,
            conversation_id,
            now=now,
            body=body,
            saved_reply_id=saved_reply or None,
        )
        s.commit()
    except Blocked as e:  # the policy changed between the check and the post
        return again(t("queue.blocked", reason=compose.explain(compose.blocked(e), t)))
    except DomainError as e:
        return again(t("queue.invalid", reason=e.message))
    query: dict[str, str] = {"sent": conversation_id}
    if pv.action == "mask":
        query["masked"] = ",".join(dict.fromkeys(r.kind for r in pv.removed))
    if back == "conversation":
        query["sent"] = "1"
        return RedirectResponse(
            f"/ui/conversations/{conversation_id}?{urlencode(query)}", status_code=303
        )
    return RedirectResponse(f"/ui/sellers/{seller.id}/queue?{urlencode(query)}", status_code=303)


@router.post("/ui/conversations/{conversation_id}/check")
def check(
    request: Request,
    conversation_id: str,
    viewer: CurrentViewer,
    s: SessionDep,
    body: Annotated[str, Form(max_length=20_000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """The message policy's verdict on a draft, as the seller types (nothing is stored)."""
    check_csrf(viewer, csrf)
    if not body.strip():
        return JSONResponse({"action": "deliver", "message": ""})
    try:
        pv = compose.preview(s, viewer.principal, conversation_id, body)
    except DomainError as e:
        return JSONResponse({"detail": e.message}, status_code=e.status)
    t = texts(language_of(request))
    return JSONResponse(
        {
            "action": pv.action,
            "message": compose.explain(pv, t),
            "delivered": pv.delivered,
            "removed": [{"kind": r.kind, "text": r.text} for r in pv.removed],
        },
        headers={"Cache-Control": "no-store"},
    )

""" "No reply needed" from the queue and the conversation page (docs/events-extensions.md):
the helpdesk's `waive_reply`, the same `reply_waived` an operator's system may send. Offered
only where the marketplace's policy allows it, and only to the seller and its staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from servicenorm.access.errors import DomainError
from servicenorm.helpdesk import conversations as conv
from servicenorm.helpdesk import waivers
from servicenorm.web.deps import NowDep, SessionDep
from servicenorm.web.i18n import texts
from servicenorm.web.pages.auth import error_page
from servicenorm.web.pages.render import language_of
from servicenorm.web.pages.session import CurrentViewer, check_csrf

router = APIRouter(include_in_schema=False)


@router.post("/ui/conversations/{conversation_id}/waive")
def waive(
    request: Request,
    conversation_id: str,
    viewer: CurrentViewer,
    s: SessionDep,
    now: NowDep,
    reason: Annotated[str, Form(max_length=waivers.REASON_MAX)] = "",
    csrf: Annotated[str, Form()] = "",
    back: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    check_csrf(viewer, csrf)
    try:
        seller = conv.get_thread(s, viewer.principal, conversation_id).seller
    except DomainError as e:
        return error_page(request, e, viewer)
    try:
        waivers.waive_reply(s, viewer.principal, conversation_id, now=now, reason=reason)
        s.commit()
    except DomainError as e:
        s.rollback()
        from servicenorm.web.pages.conversation import page as conversation_page
        from servicenorm.web.pages.queue import _page
        from servicenorm.web.pages.replies import ReplyError

        t = texts(language_of(request))
        error = ReplyError(conversation_id, t("queue.invalid", reason=e.message), "")
        if back == "conversation":
            return conversation_page(request, s, viewer, conversation_id, error)
        return _page(request, s, viewer, seller, now, error)
    if back == "conversation":
        return RedirectResponse(f"/ui/conversations/{conversation_id}?waived=1", status_code=303)
    return RedirectResponse(f"/ui/sellers/{seller.id}/queue?waived=1", status_code=303)

"""One conversation as the seller, staff or the platform's agent reads it: the whole thread
(buyer messages, answers, the marketplace's stage messages), the order it is about, earlier
conversations with the same buyer, and the answer form with the saved-reply picker (variables
filled in from the conversation's facts, edited before sending). Answers go through the
queue's reply route: the same message-policy check and `post_message`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.access.errors import DomainError
from servicenorm.access.principal import Principal
from servicenorm.helpdesk import conversations as conv
from servicenorm.helpdesk import saved_replies, waivers
from servicenorm.helpdesk.template_values import buyer_language, template_values
from servicenorm.helpdesk.templates import VARIABLES
from servicenorm.helpdesk.turns import WAIVER_STAGE
from servicenorm.policy.stored import policy_for
from servicenorm.store.tables import Buyer, Conversation, Marketplace, Order, SavedReply
from servicenorm.web.deps import NowDep, SessionDep
from servicenorm.web.pages.auth import error_page
from servicenorm.web.pages.render import language_of, render
from servicenorm.web.pages.replies import ReplyError, masked_text, may_waive
from servicenorm.web.pages.session import CurrentViewer, Viewer

router = APIRouter(include_in_schema=False)
EARLIER = 10
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([a-z_]+)\}")


@dataclass(frozen=True)
class Draft:
    """A saved reply filled in for this conversation; `missing`: variables left to write."""

    reply: SavedReply
    text: str
    missing: list[str]


def fill(reply: SavedReply, values: dict[str, str | None]) -> Draft:
    missing: list[str] = []

    def sub(m: re.Match[str]) -> str:
        tok = m.group(0)
        if tok in ("{{", "}}"):
            return tok[0]
        name = m.group(1)
        v = values.get(name)
        if not v:
            if name not in missing:
                missing.append(name)
            return tok
        return v

    return Draft(reply, _PLACEHOLDER.sub(sub, reply.body), missing)


def may_answer(p: Principal, c: Conversation) -> bool:
    taken = c.taken_over_at is not None
    return (p.role in ("seller", "staff") and not taken) or (p.role == "agent" and taken)


def page(
    request: Request,
    s: Session,
    viewer: Viewer,
    conversation_id: str,
    error: ReplyError | None = None,
) -> HTMLResponse:
    p = viewer.principal
    thread = conv.get_thread(s, p, conversation_id)  # 404 for whoever may not see it
    c, seller = thread.conversation, thread.seller
    market = s.get(Marketplace, seller.marketplace_id)
    buyer = s.get(Buyer, c.buyer_id)
    assert market is not None and buyer is not None  # foreign keys
    order = s.get(Order, c.order_id) if c.order_id else None
    earlier = [
        x
        for x in s.scalars(
            select(Conversation)
            .where(
                Conversation.seller_id == seller.id,
                Conversation.buyer_id == buyer.id,
                Conversation.id != c.id,
            )
            .order_by(Conversation.opened_at.desc())
            .limit(EARLIER)
        )
    ]
    replies: list[SavedReply] = []
    draft: Draft | None = None
    if p.role in ("seller", "staff") and may_answer(p, c):  # saved replies are the seller's
        replies = saved_replies.list_for(s, p, seller.id)
        chosen = request.query_params.get("reply")
        picked = next((r for r in replies if r.id == chosen), None)
        if picked is not None:
            policy = policy_for(market.preset)
            lang = buyer_language(buyer, seller, policy.moderation.languages)
            draft = fill(picked, template_values(seller, buyer, order, lang, policy.zone))
    return render(
        request,
        "conversation.html",
        status_code=422 if error else 200,
        viewer=viewer,
        seller=seller,
        market=market,
        c=c,
        buyer=buyer,
        messages=thread.messages,
        order=order,
        earlier=earlier,
        replies=replies,
        draft=draft,
        variables=VARIABLES,
        may_answer=may_answer(p, c),
        may_waive=may_waive(p, c, waivers.allowed(market.preset)) and c.awaiting_since is not None,
        waived=request.query_params.get("waived") == "1",
        waiver_stage=WAIVER_STAGE,
        error=error,
        sent=request.query_params.get("sent") == "1",
        sent_masked=masked_text(request.query_params.get("masked"), language_of(request)),
        active="queue",
    )


@router.get("/ui/conversations/{conversation_id}")
def conversation_page(
    request: Request, conversation_id: str, viewer: CurrentViewer, s: SessionDep, now: NowDep
) -> HTMLResponse:
    del now
    try:
        return page(request, s, viewer, conversation_id)
    except DomainError as e:
        return error_page(request, e, viewer)

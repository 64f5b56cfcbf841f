"""Conversations: ask, forward, answer (from a saved reply), take over (R2.1-R2.4, R4.6)."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy.orm import Session

from servicenorm.helpdesk import conversations as conv
from servicenorm.helpdesk.conversations import Thread
from servicenorm.helpdesk.principal import Principal
from servicenorm.web.deps import CurrentPrincipal, NowDep, SessionDep
from servicenorm.web.schemas.common import Id, Limit, Offset
from servicenorm.web.schemas.conversations import (
    ConversationCreate,
    ConversationPublic,
    MessageCreate,
    MessagePublic,
    ThreadPublic,
    ViolationPublic,
)

router = APIRouter(prefix="/conversations", tags=["conversations"])


def _thread(s: Session, p: Principal, t: Thread) -> ThreadPublic:
    violations = [] if p.role == "buyer" else [ViolationPublic.model_validate(v) for v in conv.violations_of(s, t.conversation.id)]
    return ThreadPublic(
        conversation=ConversationPublic.model_validate(t.conversation),
        messages=[MessagePublic.model_validate(m) for m in t.messages],
        violations=violations,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ThreadPublic)
def open_conversation(body: ConversationCreate, s: SessionDep, p: CurrentPrincipal, now: NowDep) -> ThreadPublic:
    """A buyer asks a seller (about an order or not); customer service forwards a buyer's
    question with `buyer` set (the seller's clock starts now)."""
    t = conv.open_question(s, p, seller_id=body.seller, body=body.body, now=now, buyer_id=body.buyer,
                           order_id=body.order, subject=body.subject, conversation_id=body.id)
    s.commit()
    return _thread(s, p, t)


@router.get("", response_model=list[ConversationPublic])
def list_conversations(s: SessionDep, p: CurrentPrincipal, seller: Id | None = None, buyer: Id | None = None,
                       waiting: bool | None = None, limit: Limit = 50, offset: Offset = 0) -> list[ConversationPublic]:
    rows = conv.list_conversations(s, p, seller_id=seller, buyer_id=buyer, waiting=waiting, limit=limit, offset=offset)
    return [ConversationPublic.model_validate(c) for c in rows]


@router.get("/{conversation_id}", response_model=ThreadPublic)
def get_conversation(conversation_id: Id, s: SessionDep, p: CurrentPrincipal) -> ThreadPublic:
    return _thread(s, p, conv.get_thread(s, p, conversation_id))


@router.post("/{conversation_id}/messages", status_code=status.HTTP_201_CREATED, response_model=MessagePublic)
def post_message(conversation_id: Id, body: MessageCreate, s: SessionDep, p: CurrentPrincipal,
                 now: NowDep) -> MessagePublic:
    """Buyer, seller, staff (optionally from a saved reply), or agent after takeover. A seller
    message the marketplace policy blocks is answered 422 with the offending spans."""
    m = conv.post_message(s, p, conversation_id, now=now, body=body.body, saved_reply_id=body.saved_reply,
                          variables=body.variables)
    s.commit()
    return MessagePublic.model_validate(m)


@router.post("/{conversation_id}/takeover", response_model=ConversationPublic)
def take_over(conversation_id: Id, s: SessionDep, p: CurrentPrincipal, now: NowDep) -> ConversationPublic:
    c = conv.take_over(s, p, conversation_id, now)
    s.commit()
    return ConversationPublic.model_validate(c)

"""Conversations: ask, forward, answer (from a saved reply), take over (R2.1-R2.4, R4.6)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Request, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from servicenorm.access.principal import Principal
from servicenorm.bootstrap import Container
from servicenorm.enforce import takeover
from servicenorm.helpdesk import conversations as conv
from servicenorm.helpdesk import waivers
from servicenorm.helpdesk.accounts import TokenRevoked
from servicenorm.helpdesk.conversations import Thread
from servicenorm.helpdesk.projection.records import MessageRec
from servicenorm.web.deps import (
    CachedCaller,
    Caller,
    ContainerDep,
    CurrentPrincipal,
    NowDep,
    SessionDep,
    bad_token,
)
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
T = TypeVar("T")


def _thread(s: Session, p: Principal, t: Thread) -> ThreadPublic:
    violations = (
        []
        if p.role == "buyer"
        else [ViolationPublic.model_validate(v) for v in conv.violations_of(s, t.conversation.id)]
    )
    return ThreadPublic(
        conversation=ConversationPublic.model_validate(t.conversation),
        messages=[MessagePublic.model_validate(m) for m in t.messages],
        violations=violations,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ThreadPublic)
def open_conversation(
    body: ConversationCreate, s: SessionDep, p: CurrentPrincipal, now: NowDep
) -> ThreadPublic:
    """A buyer asks a seller (about an order or not); customer service forwards a buyer's
    question with `buyer` set (the seller's clock starts now)."""
    t = conv.open_question(
        s,
        p,
        seller_id=body.seller,
        body=body.body,
        now=now,
        buyer_id=body.buyer,
        order_id=body.order,
        subject=body.subject,
        conversation_id=body.id,
    )
    s.commit()
    return _thread(s, p, t)


@router.get("", response_model=list[ConversationPublic])
def list_conversations(
    s: SessionDep,
    p: CurrentPrincipal,
    seller: Id | None = None,
    buyer: Id | None = None,
    waiting: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[ConversationPublic]:
    rows = conv.list_conversations(
        s, p, seller_id=seller, buyer_id=buyer, waiting=waiting, limit=limit, offset=offset
    )
    return [ConversationPublic.model_validate(c) for c in rows]


@router.get("/{conversation_id}", response_model=ThreadPublic)
def get_conversation(conversation_id: Id, s: SessionDep, p: CurrentPrincipal) -> ThreadPublic:
    return _thread(s, p, conv.get_thread(s, p, conversation_id))


@router.post(
    "/{conversation_id}/messages", status_code=status.HTTP_201_CREATED, response_model=MessagePublic
)
async def post_message(
    conversation_id: Id,
    body: MessageCreate,
    caller: CachedCaller,
    container: ContainerDep,
    now: NowDep,
    request: Request,
) -> MessagePublic:
    """Buyer, seller, staff (optionally from a saved reply), or agent after takeover. A seller
    message the marketplace policy blocks is answered 422 with the offending spans."""
    m = await in_post_thread(
        request.app, post_in_thread, container, caller, conversation_id, body, now
    )
    return MessagePublic.model_validate(m)


async def in_post_thread(app: Any, fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` on the app's message-post threads (`create_app`), else the anyio pool."""
    threads = getattr(app.state, "post_threads", None)
    if threads is None:
        return await run_in_threadpool(fn, *args)
    return await asyncio.get_running_loop().run_in_executor(threads, fn, *args)


def post_in_thread(
    container: Container, caller: Caller, conversation_id: str, body: MessageCreate, now: datetime
) -> MessageRec:
    """The endpoint's work, for a worker thread (the route and `web.fastlane` both call it)."""
    with container.sessions() as s:
        try:
            # the cached principal's token checked valid by the post's first statement
            m = conv.post_message(
                s,
                caller.principal,
                conversation_id,
                now=now,
                body=body.body,
                saved_reply_id=body.saved_reply,
                variables=body.variables,
                token_hash=caller.token_hash,
            )
        except TokenRevoked:
            caller.cache.evict(caller.token_hash)
            raise bad_token() from None
        s.commit()
        return m


class TakeoverReason(BaseModel):
    model_config = ConfigDict(extra="forbid")

    trigger: str | None = Field(
        default=None,
        max_length=30,
        description=(
            "why, where the marketplace's policy takes conversations over (one of its "
            f"`[takeover]` triggers; default `{takeover.MANUAL_TRIGGER}`); the policy's cost "
            "is charged once when it is resolved"
        ),
    )
    note: str = Field(default="", max_length=2000)


@router.post("/{conversation_id}/takeover", response_model=ConversationPublic)
def take_over(
    conversation_id: Id,
    s: SessionDep,
    p: CurrentPrincipal,
    now: NowDep,
    body: Annotated[TakeoverReason | None, Body()] = None,
) -> ConversationPublic:
    """R4.6: from now on the platform's agent answers, the seller cannot. On a marketplace whose
    policy takes conversations over this is recorded in enforcement's takeover queue (see
    `/enforcement/takeovers`; an agent who takes over is assigned it) and charged when resolved."""
    reason = body or TakeoverReason()
    c = conv.take_over(
        s,
        p,
        conversation_id,
        now,
        record=takeover.record_conversation_takeover,
        trigger=reason.trigger,
        note=reason.note,
    )
    s.commit()
    return ConversationPublic.model_validate(c)


class WaiverCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=waivers.REASON_MAX, description="why, optional")


@router.post(
    "/{conversation_id}/waive", status_code=status.HTTP_201_CREATED, response_model=MessagePublic
)
def waive_reply(
    conversation_id: Id,
    s: SessionDep,
    p: CurrentPrincipal,
    now: NowDep,
    body: Annotated[WaiverCreate | None, Body()] = None,
) -> MessagePublic:
    """ "No reply needed" (docs/events-extensions.md): the seller or its staff marks the
    conversation as needing no answer, where the marketplace's policy allows it (else 422,
    field `type`). Recorded in the thread as a `reply_waived` event; a question waived by its
    deadline leaves the first-response figures."""
    m = waivers.waive_reply(s, p, conversation_id, now=now, reason=(body or WaiverCreate()).reason)
    s.commit()
    return MessagePublic.model_validate(m)

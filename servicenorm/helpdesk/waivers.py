""" "No reply needed" (docs/events-extensions.md): the seller or its staff marks a conversation
as needing no answer, where the marketplace's policy allows it (`[response] reply_waiver`).

The page's and the API's waiver is a `reply_waived` event through the one projector, as an
ingested one is: the same checks (the policy, the conversation) and the same record (a message
in the thread with the waiver's stage, the question's first response)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.access.errors import Conflict, Forbidden, Invalid
from servicenorm.access.principal import Principal, work_seller_of
from servicenorm.helpdesk import conversations as conv
from servicenorm.helpdesk.projection import Posting
from servicenorm.helpdesk.projection.records import MessageRec
from servicenorm.helpdesk.turns import WAIVER_STAGE
from servicenorm.policy.schema import waiver_refusal
from servicenorm.policy.stored import policy_for
from servicenorm.store.ids import new_id
from servicenorm.store.tables import Conversation, Message

REASON_MAX = 500


def allowed(preset: str) -> bool:
    """Whether the marketplace's policy lets sellers mark a question "no reply needed"."""
    return policy_for(preset).response.reply_waiver


def waive_reply(
    s: Session, p: Principal, conversation_id: str, *, now: datetime, reason: str = ""
) -> MessageRec:
    """Mark the conversation "no reply needed" as `p` (a seller or its staff) at `now`."""
    head = conv._post_head(s, p, conversation_id)
    if p.role not in ("seller", "staff"):
        raise Forbidden("only the seller or its staff mark a question 'no reply needed'")
    work_seller_of(p, head.seller_id, head.marketplace_id)
    if head.taken_over:
        raise Conflict(
            "the platform has taken this conversation over; its agent answers now",
            "conversation",
        )
    if not allowed(head.preset):
        raise Invalid(waiver_refusal(head.preset), "type")
    text = reason.strip()
    if len(text) > REASON_MAX:
        raise Invalid(f"at most {REASON_MAX} characters", "reason")
    mid = new_id()
    fields: dict[str, object] = {"conversation": head.id, "author": p.role}
    if text:
        fields["reason"] = text
    return conv._project(
        s, p, f"api-{mid}", "reply_waived", now, fields, Posting(mid, p.account_id), head.read
    )


@dataclass(frozen=True)
class Waiver:
    """A recorded "no reply needed", as the operator's history lists it."""

    conversation_id: str
    at: datetime
    author: str
    reason: str


def waivers_of(s: Session, seller_id: str, limit: int = 200) -> list[Waiver]:
    """The seller's waivers, newest first."""
    rows = s.execute(
        select(Message.conversation_id, Message.at, Message.author, Message.body)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.seller_id == seller_id, Message.stage == WAIVER_STAGE)
        .order_by(Message.at.desc(), Message.id)
        .limit(limit)
    )
    return [Waiver(r.conversation_id, r.at, r.author, r.body) for r in rows]

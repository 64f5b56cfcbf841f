"""Conversations, messages and the queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from servicenorm.web.schemas.common import Id, Public, Request, Text


class ConversationCreate(Request):
    seller: Id
    body: Text
    buyer: Id | None = Field(
        default=None, description="forwarding by customer service: the buyer who asked"
    )
    order: Id | None = None
    subject: str | None = Field(default=None, max_length=200)
    id: Id | None = Field(
        default=None,
        description="a retry key of the caller's own: the same key from the same caller is the "
        "same conversation (409 when it exists already), whose id is derived from the key and "
        "the caller's scope (a buyer, or the marketplace's platform), so it never meets another "
        "tenant's ids; a fresh id when absent",
    )


class MessageCreate(Request):
    body: Text | None = Field(
        default=None, description="the text; with saved_reply: the edited template text"
    )
    saved_reply: Id | None = Field(default=None, description="answer from this saved reply")
    variables: dict[str, str] = Field(
        default_factory=dict, description="values for the saved reply's variables"
    )


class MessagePublic(Public):
    id: str
    conversation_id: str
    author: str
    body: str
    automated: bool
    at: datetime
    deadline: datetime | None
    answered_at: datetime | None
    saved_reply_id: str | None
    stage: str | None


class ViolationPublic(Public):
    id: str
    message_id: str
    action: str
    detail: list[dict[str, Any]]
    at: datetime


class ConversationPublic(Public):
    id: str
    seller_id: str
    buyer_id: str
    order_id: str | None
    origin: str
    subject: str | None
    opened_at: datetime
    last_message_at: datetime
    awaiting_since: datetime | None
    deadline: datetime | None
    first_reply_at: datetime | None
    taken_over_at: datetime | None


class ThreadPublic(Public):
    conversation: ConversationPublic
    messages: list[MessagePublic]
    violations: list[ViolationPublic] = Field(default_factory=list)


class QueueItemPublic(Public):
    conversation: ConversationPublic
    deadline: datetime
    working_seconds_left: int
    overdue_working_seconds: int
    state: Literal["ok", "due_soon", "overdue"]


class QueuePublic(Public):
    seller_id: str
    at: datetime
    items: list[QueueItemPublic]

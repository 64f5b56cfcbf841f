"""Conversations, messages and recorded message-policy violations.

The deadline of the buyer turn waiting for a reply is stored on the conversation and on
each buyer message when it arrives, and both are indexed only while unanswered: the queue
and the breach scan ask "what is due before T?" as one index range scan.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servicenorm.store.base import Base
from servicenorm.store.types import Document, Instant

AUTHORS = ("buyer", "seller", "staff", "agent", "system")
ORIGINS = ("buyer", "platform_forward", "proactive")


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"))
    buyer_id: Mapped[str] = mapped_column(ForeignKey("buyers.id"), index=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), nullable=True, index=True)
    origin: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str | None] = mapped_column(String(200), nullable=True)
    opened_at: Mapped[datetime] = mapped_column(Instant)
    last_message_at: Mapped[datetime] = mapped_column(Instant)
    # the current buyer turn: when it started and when its reply is due (None = nothing pending)
    awaiting_since: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    deadline: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    first_reply_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    taken_over_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    taken_over_by: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    # optimistic concurrency: every change bumps it (compare-and-set on the turn state)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        CheckConstraint("origin IN ('buyer','platform_forward','proactive')", name="origin"),
        Index(
            "ix_conversations_seller_due",
            "seller_id",
            "deadline",
            sqlite_where=deadline.isnot(None),
            postgresql_where=deadline.isnot(None),
        ),
        Index(
            "ix_conversations_due",
            "deadline",
            sqlite_where=deadline.isnot(None),
            postgresql_where=deadline.isnot(None),
        ),
        Index("ix_conversations_seller_last", "seller_id", "last_message_at"),
        # answered, nothing pending, not closed: waiting for the buyer (the queue's count)
        Index(
            "ix_conversations_seller_waiting",
            "seller_id",
            "last_message_at",
            sqlite_where=deadline.is_(None) & closed_at.is_(None) & first_reply_at.isnot(None),
            postgresql_where=deadline.is_(None) & closed_at.is_(None) & first_reply_at.isnot(None),
        ),
    )
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    author: Mapped[str] = mapped_column(String(10))
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    body: Mapped[str] = mapped_column(Text)  # what the other side sees (masked when masked)
    original_body: Mapped[str | None] = mapped_column(
        Text, nullable=True
    )  # kept for audit when masked
    automated: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(Instant)
    deadline: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    saved_reply_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    stage: Mapped[str | None] = mapped_column(String(20), nullable=True)  # proactive stage
    event_id: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)

    __table_args__ = (
        CheckConstraint("author IN ('buyer','seller','staff','agent','system')", name="author"),
        Index("ix_messages_conversation_at", "conversation_id", "at"),
        Index(
            "ix_messages_unanswered_due",
            "deadline",
            sqlite_where=(answered_at.is_(None) & deadline.isnot(None)),
            postgresql_where=(answered_at.is_(None) & deadline.isnot(None)),
        ),
    )


class Violation(Base):
    """A message-policy finding recorded on a delivered message (R5, action `record`/`mask`)."""

    __tablename__ = "violations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id"), index=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"))
    action: Mapped[str] = mapped_column(String(10))
    detail: Mapped[list[dict[str, Any]]] = mapped_column(Document)
    at: Mapped[datetime] = mapped_column(Instant)

    __table_args__ = (Index("ix_violations_seller_at", "seller_id", "at"),)

"""Evidence items, kept as events arrive (SPEC R3; STYLE 2 and 15): one row per question, per
buyer turn, per call attempt and per review (orders are their own item: `orders`), written by
the helpdesk's one writer in the transaction that applies the event.

Each row stores what events decide (when it arrived, its deadline from the clock kernel, when
and by whom it was answered, whether a call fell in the seller's phone hours); what only time
decides (pending or late) is derived when read, from the stored deadline. Rows are indexed by
seller and arrival, so a seller's window is one index range; unanswered questions also by
deadline, so "what is overdue?" is one range scan.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from servicenorm.store.base import Base
from servicenorm.store.types import Instant

# `first_reply_by` of a question whose first response was a `reply_waived` (its time in
# `first_reply_at`): by the deadline it counts neither way, after it the question is late
WAIVED = "waived"


class QuestionItem(Base):
    """A question (`question_opened`): its first reply by the seller or its staff (SPEC R3.1)."""

    __tablename__ = "question_items"

    conversation_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    seller_id: Mapped[str] = mapped_column(String(100))
    message_id: Mapped[str] = mapped_column(String(200))  # the question's own message
    order_id: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    received_at: Mapped[datetime] = mapped_column(Instant)
    deadline: Mapped[datetime] = mapped_column(Instant)
    first_reply_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    first_reply_by: Mapped[str | None] = mapped_column(String(10), nullable=True)

    __table_args__ = (
        Index("ix_question_items_seller_received", "seller_id", "received_at"),
        Index(
            "ix_question_items_open_due",
            "deadline",
            sqlite_where=first_reply_at.is_(None),
            postgresql_where=first_reply_at.is_(None),
        ),
        Index(  # a seller's open questions (their status a matter of time; aggregates hold the rest)
            "ix_question_items_open_seller",
            "seller_id",
            "received_at",
            sqlite_where=first_reply_at.is_(None),
            postgresql_where=first_reply_at.is_(None),
        ),
    )


class TurnItem(Base):
    """A buyer turn (SPEC R3.2): the question, or a buyer message that follows a reply; answered
    by the next reply of the seller or its staff. Keyed by the message that starts it."""

    __tablename__ = "turn_items"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(100), index=True)
    seller_id: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(Instant)
    deadline: Mapped[datetime] = mapped_column(Instant)
    replied_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    replied_by: Mapped[str | None] = mapped_column(String(10), nullable=True)

    __table_args__ = (
        Index("ix_turn_items_seller_received", "seller_id", "received_at"),
        Index(  # open turns by deadline: those a round finds late since the last one
            "ix_turn_items_open_due",
            "deadline",
            sqlite_where=replied_at.is_(None),
            postgresql_where=replied_at.is_(None),
        ),
        Index(
            "ix_turn_items_open_seller",
            "seller_id",
            "received_at",
            sqlite_where=replied_at.is_(None),
            postgresql_where=replied_at.is_(None),
        ),
    )


class CallItem(Base):
    """A call attempt (SPEC R3.4), judged against the seller's phone hours and shop status at
    the call; both are set again when a `phone_hours_set` or shop event arrives late."""

    __tablename__ = "call_items"

    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    seller_id: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(Instant)
    answered: Mapped[bool] = mapped_column(Boolean)
    in_hours: Mapped[bool] = mapped_column(Boolean)
    shop_closed: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (Index("ix_call_items_seller_at", "seller_id", "at"),)


class ReviewItem(Base):
    """A review of one of the seller's orders (SPEC R3.7)."""

    __tablename__ = "review_items"

    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    seller_id: Mapped[str] = mapped_column(String(100))
    order_id: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(Instant)
    rating: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_review_items_seller_at", "seller_id", "at"),)

"""The rows the projector reads and changes, as plain records in memory (its state).

Each record knows whether it is new (to INSERT) or stored (to UPDATE when `changed`): these
flags are the changes the writer applies, for one event or a chunk, in a few statements. An
evidence item read from the store also keeps what it counted as stored (`was`, its `facts()`
when loaded), so the writer moves the aggregates by the difference (`projection.deltas`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class MarketRec:
    id: str
    preset: str
    title: str
    created_at: datetime
    new: bool = False


@dataclass(slots=True)
class SellerRec:
    id: str
    marketplace_id: str
    name: str
    country: str
    linked_sellers: list[str]
    registered_at: datetime
    proactive_enabled: bool
    closed: bool
    new: bool = False
    changed: bool = False


@dataclass(slots=True)
class BuyerRec:
    id: str
    marketplace_id: str
    name: str
    language: str | None
    created_at: datetime
    new: bool = False


@dataclass(slots=True)
class OrderRec:
    id: str
    seller_id: str
    buyer_id: str
    placed_at: datetime
    ship_by: datetime
    category: str
    amount: str
    currency: str
    shipped_at: datetime | None = None
    tracking: str | None = None
    scanned_at: datetime | None = None
    delivered_at: datetime | None = None
    cancelled_at: datetime | None = None
    new: bool = False
    changed: bool = False
    was: tuple[Any, ...] | None = None  # `facts()` as stored (None: new, or not loaded)

    def facts(self) -> tuple[Any, ...]:
        """What the order's aggregates count, besides the questions naming it."""
        return (self.ship_by, self.shipped_at, self.tracking, self.cancelled_at)


@dataclass(slots=True)
class MessageRec:
    id: str
    conversation_id: str
    author: str
    body: str
    automated: bool
    at: datetime
    deadline: datetime | None = None
    answered_at: datetime | None = None
    stage: str | None = None
    event_id: str | None = None
    account_id: str | None = None  # who posted it through the API
    original_body: str | None = None  # kept for audit when the message policy masked it
    saved_reply_id: str | None = None
    new: bool = False
    stored_answered_at: datetime | None = (
        None  # as stored (stored messages: UPDATE when it differs)
    )


Turn = tuple[datetime, datetime | None, datetime | None, datetime | None]


@dataclass(slots=True)
class ConvRec:
    id: str
    seller_id: str
    buyer_id: str
    order_id: str | None
    origin: str
    opened_at: datetime
    last_message_at: datetime
    subject: str | None = None
    awaiting_since: datetime | None = None
    deadline: datetime | None = None
    first_reply_at: datetime | None = None
    version: int = 1
    stored_version: int | None = None  # None: new in this chunk
    # the messages the turn rules need, when loaded (conversations that receive messages):
    # every message, or when `partial` only the unanswered buyer messages (every new message
    # is later than the stored thread, so the others cannot change: see `state.load`)
    messages: list[MessageRec] | None = None
    partial: bool = False
    first_reply_before: datetime | None = None  # partial: the stored first reply, if any
    # evidence items (conversations with a question that receive messages): the question, and
    # its turns by id (every turn, or when `partial` only the open one)
    question: QuestionRec | None = None
    turns: dict[str, TurnRec] | None = None

    def turn(self) -> Turn:
        """The columns an ingested event changes (a change bumps `version`, as an ORM flush does)."""
        return (self.last_message_at, self.awaiting_since, self.deadline, self.first_reply_at)


@dataclass(slots=True)
class ViolationRec:
    """A message-policy finding on a delivered message (R5, action `record` or `mask`)."""

    id: str
    message_id: str
    conversation_id: str
    seller_id: str
    action: str
    detail: list[dict[str, object]]
    at: datetime


@dataclass(slots=True)
class QuestionRec:
    conversation_id: str
    seller_id: str
    message_id: str  # the question's own message (not a `message_sent`: never a turn of its own)
    order_id: str | None
    received_at: datetime
    deadline: datetime
    first_reply_at: datetime | None = None
    first_reply_by: str | None = None
    new: bool = False
    changed: bool = False
    was: tuple[Any, ...] | None = None  # `facts()` as stored

    def facts(self) -> tuple[Any, ...]:
        # (`first_reply_by` too: a question waived by its deadline counts neither way)
        return (self.received_at, self.deadline, self.first_reply_at, self.first_reply_by)


@dataclass(slots=True)
class TurnRec:
    id: str
    conversation_id: str
    seller_id: str
    received_at: datetime
    deadline: datetime
    replied_at: datetime | None = None
    replied_by: str | None = None
    new: bool = False
    changed: bool = False
    deleted: bool = False
    was: tuple[Any, ...] | None = None  # `facts()` as stored

    def facts(self) -> tuple[Any, ...]:
        return (self.received_at, self.deadline, self.replied_at)


@dataclass(slots=True)
class CallRec:
    event_id: str
    seller_id: str
    at: datetime
    answered: bool
    in_hours: bool = False
    shop_closed: bool = False
    new: bool = False
    changed: bool = False
    was: tuple[Any, ...] | None = None  # `facts()` as stored

    def facts(self) -> tuple[Any, ...]:
        return (self.in_hours, self.shop_closed)


@dataclass(slots=True)
class ReviewRec:
    event_id: str
    seller_id: str
    order_id: str
    at: datetime
    rating: int


@dataclass(slots=True)
class StatusRec:
    """A seller's `phone_hours_set`, `shop_closed` or `shop_reopened`, as its calls read it."""

    event_id: str
    at: datetime
    type: str
    hours: str | None  # phone_hours_set: the hours as canonical JSON

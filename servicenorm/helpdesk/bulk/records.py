"""The rows a chunk of events reads and changes, as plain records in memory.

Each record knows whether it is new (to INSERT) or stored (to UPDATE when `changed`), so the
chunk is written with a few executemany statements instead of an ORM flush per event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
    awaiting_since: datetime | None = None
    deadline: datetime | None = None
    first_reply_at: datetime | None = None
    version: int = 1
    stored_version: int | None = None  # None: new in this chunk
    # every message, when loaded (conversations that receive messages in the chunk)
    messages: list[MessageRec] | None = None

    def turn(self) -> Turn:
        """The columns an ingested event changes (a change bumps `version`, as an ORM flush does)."""
        return (self.last_message_at, self.awaiting_since, self.deadline, self.first_reply_at)

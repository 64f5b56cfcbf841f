"""The one writer: what the projector changed, for one event or a chunk, in one executemany
per table and kind, parents before children, inside the caller's transaction.

Conversations are updated by compare-and-set on the version the state read: when
another writer changed one meanwhile (PostgreSQL; SQLite's transaction holds the write lock
from its first statement), `Stale` is raised and the caller reads the state again.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Connection, Table

from servicenorm.helpdesk.projection import deltas
from servicenorm.helpdesk.projection.projector import Projector
from servicenorm.helpdesk.projection.records import CallRec, ConvRec, QuestionRec, TurnRec
from servicenorm.helpdesk.projection.sql import Db
from servicenorm.helpdesk.projection.state import (
    BUYERS,
    CALLS,
    CONVS,
    EVENTS,
    MARKETS,
    MESSAGES,
    ORDERS,
    QUESTIONS,
    REVIEWS,
    SELLERS,
    TURNS,
    VIOLATIONS,
    State,
)

R = TypeVar("R", QuestionRec, TurnRec)


class Stale(Exception):
    """A conversation changed since the chunk read it."""


def _insert(db: Db, table: Table, rows: list[dict[str, Any]]) -> None:
    db.insert(table, rows)


def _update(
    db: Db,
    table: Table,
    rows: list[dict[str, Any]],
    *,
    cas: bool = False,
    key: str = "id",
) -> int:
    """UPDATE by key (`b_id`), and by version (`b_version`) when `cas`; the rows updated."""
    return db.update(table, rows, key, cas=cas)


def write(conn: Connection, snap: State, done: Projector) -> None:
    db = Db(conn)
    _insert(
        db,
        MARKETS,
        [
            {"id": m.id, "preset": m.preset, "title": m.title, "created_at": m.created_at}
            for m in snap.markets.values()
            if m.new
        ],
    )
    sellers = list(snap.sellers.values())
    _insert(
        db,
        SELLERS,
        [
            {
                "id": x.id,
                "marketplace_id": x.marketplace_id,
                "name": x.name,
                "country": x.country,
                "linked_sellers": x.linked_sellers,
                "registered_at": x.registered_at,
                "proactive_enabled": x.proactive_enabled,
                "closed": x.closed,
                "contact_hours": None,
                "expected_response": None,
            }
            for x in sellers
            if x.new
        ],
    )
    _update(
        db,
        SELLERS,
        [
            {
                "b_id": x.id,
                "country": x.country,
                "linked_sellers": x.linked_sellers,
                "closed": x.closed,
            }
            for x in sellers
            if x.changed and not x.new
        ],
    )
    _insert(
        db,
        BUYERS,
        [
            {
                "id": b.id,
                "marketplace_id": b.marketplace_id,
                "name": b.name,
                "language": b.language,
                "created_at": b.created_at,
            }
            for b in snap.buyers.values()
            if b.new
        ],
    )
    orders = list(snap.orders.values())
    _insert(
        db,
        ORDERS,
        [
            {
                "id": o.id,
                "seller_id": o.seller_id,
                "buyer_id": o.buyer_id,
                "placed_at": o.placed_at,
                "ship_by": o.ship_by,
                "category": o.category,
                "amount": o.amount,
                "currency": o.currency,
                "shipped_at": o.shipped_at,
                "tracking": o.tracking,
                "scanned_at": o.scanned_at,
                "delivered_at": o.delivered_at,
                "cancelled_at": o.cancelled_at,
            }
            for o in orders
            if o.new
        ],
    )
    _update(
        db,
        ORDERS,
        [
            {
                "b_id": o.id,
                "ship_by": o.ship_by,
                "shipped_at": o.shipped_at,
                "tracking": o.tracking,
                "scanned_at": o.scanned_at,
                "delivered_at": o.delivered_at,
                "cancelled_at": o.cancelled_at,
            }
            for o in orders
            if o.changed and not o.new
        ],
    )
    convs = list(snap.convs.values())
    _insert(
        db,
        CONVS,
        [
            {
                "id": c.id,
                "seller_id": c.seller_id,
                "buyer_id": c.buyer_id,
                "order_id": c.order_id,
                "origin": c.origin,
                "subject": c.subject,
                "opened_at": c.opened_at,
                "last_message_at": c.last_message_at,
                "awaiting_since": c.awaiting_since,
                "deadline": c.deadline,
                "first_reply_at": c.first_reply_at,
                "taken_over_at": None,
                "taken_over_by": None,
                "closed_at": None,
                "version": c.version,
            }
            for c in convs
            if c.stored_version is None
        ],
    )
    moved = [
        {
            "b_id": c.id,
            "b_version": c.stored_version,
            "last_message_at": c.last_message_at,
            "awaiting_since": c.awaiting_since,
            "deadline": c.deadline,
            "first_reply_at": c.first_reply_at,
            "version": c.version,
        }
        for c in convs
        if c.stored_version is not None and c.version != c.stored_version
    ]
    if _update(db, CONVS, moved, cas=True) != len(moved):
        raise Stale
    _insert(
        db,
        MESSAGES,
        [
            {
                "id": m.id,
                "conversation_id": m.conversation_id,
                "author": m.author,
                "account_id": m.account_id,
                "body": m.body,
                "original_body": m.original_body,
                "automated": m.automated,
                "at": m.at,
                "deadline": m.deadline,
                "answered_at": m.answered_at,
                "saved_reply_id": m.saved_reply_id,
                "stage": m.stage,
                "event_id": m.event_id,
            }
            for m in done.new_messages
        ],
    )
    _update(
        db,
        MESSAGES,
        [
            {"b_id": m.id, "answered_at": m.answered_at}
            for c in convs
            if c.messages is not None
            for m in c.messages
            if not m.new and m.answered_at != m.stored_answered_at
        ],
    )
    _insert(
        db,
        VIOLATIONS,
        [
            {
                "id": v.id,
                "message_id": v.message_id,
                "conversation_id": v.conversation_id,
                "seller_id": v.seller_id,
                "action": v.action,
                "detail": v.detail,
                "at": v.at,
            }
            for v in done.violations
        ],
    )
    _items(db, snap, convs)
    _insert(db, EVENTS, done.event_rows)
    # the aggregates last: their upsert locks a seller-day row that every reply of that seller
    # and day updates, and the lock is held until the caller commits; written last, it is held
    # for the commit alone, not for the statements after it too
    deltas.apply(conn, snap)


def _items(db: Db, snap: State, convs: list[ConvRec]) -> None:
    """The evidence items, in the same transaction as the rows they follow."""
    extra = [x for items in snap.open_items.values() for x in items]  # re-registered sellers'
    questions = _unique(
        [
            *(c.question for c in convs if c.question is not None),
            *(x for x in extra if isinstance(x, QuestionRec)),
        ]
    )
    _insert(db, QUESTIONS, [_question(q) for q in questions if q.new])
    _update(
        db,
        QUESTIONS,
        [
            {
                "b_id": q.conversation_id,
                "deadline": q.deadline,
                "first_reply_at": q.first_reply_at,
                "first_reply_by": q.first_reply_by,
            }
            for q in questions
            if q.changed and not q.new
        ],
        key="conversation_id",
    )
    turns = _unique(
        [
            *(x for c in convs if c.turns is not None for x in c.turns.values()),
            *(x for x in extra if isinstance(x, TurnRec)),
        ]
    )
    _insert(db, TURNS, [_turn(x) for x in turns if x.new and not x.deleted])
    _update(
        db,
        TURNS,
        [{"b_id": x.id, **_turn(x)} for x in turns if x.changed and not x.new and not x.deleted],
    )
    db.delete(TURNS, "id", [x.id for x in turns if x.deleted and not x.new])
    calls = list(snap.calls.values())
    _insert(db, CALLS, [_call(x) for x in calls if x.new])
    _update(
        db,
        CALLS,
        [
            {"b_id": x.event_id, "in_hours": x.in_hours, "shop_closed": x.shop_closed}
            for x in calls
            if x.changed and not x.new
        ],
        key="event_id",
    )
    _insert(
        db,
        REVIEWS,
        [
            {
                "event_id": r.event_id,
                "seller_id": r.seller_id,
                "order_id": r.order_id,
                "at": r.at,
                "rating": r.rating,
            }
            for r in snap.reviews
        ],
    )


def _unique(records: list[R]) -> list[R]:
    """Each record once (a conversation's and a re-registered seller's may be the same)."""
    return list({id(x): x for x in records}.values())


def _question(q: QuestionRec) -> dict[str, Any]:
    return {
        "conversation_id": q.conversation_id,
        "seller_id": q.seller_id,
        "message_id": q.message_id,
        "order_id": q.order_id,
        "received_at": q.received_at,
        "deadline": q.deadline,
        "first_reply_at": q.first_reply_at,
        "first_reply_by": q.first_reply_by,
    }


def _turn(x: TurnRec) -> dict[str, Any]:
    return {
        "id": x.id,
        "conversation_id": x.conversation_id,
        "seller_id": x.seller_id,
        "received_at": x.received_at,
        "deadline": x.deadline,
        "replied_at": x.replied_at,
        "replied_by": x.replied_by,
    }


def _call(x: CallRec) -> dict[str, Any]:
    return {
        "event_id": x.event_id,
        "seller_id": x.seller_id,
        "at": x.at,
        "answered": x.answered,
        "in_hours": x.in_hours,
        "shop_closed": x.shop_closed,
    }

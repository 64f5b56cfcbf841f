"""The one writer: what the projector changed, for one event or a chunk, in one executemany
per table and kind, parents before children, inside the caller's transaction.

Conversations are updated by compare-and-set on the version the state read (STYLE 4): when
another writer changed one meanwhile (PostgreSQL; SQLite's transaction holds the write lock
from its first statement), `Stale` is raised and the caller reads the state again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert, update

from servicenorm.helpdesk.projection.projector import Projector
from servicenorm.helpdesk.projection.state import (
    BUYERS,
    CONVS,
    EVENTS,
    MARKETS,
    MESSAGES,
    ORDERS,
    SELLERS,
    VIOLATIONS,
    State,
)


class Stale(Exception):
    """A conversation changed since the chunk read it."""


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(table), rows)


def _update(
    conn: Connection, table: Table, rows: list[dict[str, Any]], *, cas: bool = False
) -> int:
    """UPDATE by id (`b_id`), and by version (`b_version`) when `cas`; the rows updated."""
    if not rows:
        return 0
    stmt = update(table).where(table.c.id == bindparam("b_id"))
    if cas:
        stmt = stmt.where(table.c.version == bindparam("b_version"))
    return int(conn.execute(stmt, rows).rowcount)


def write(conn: Connection, snap: State, done: Projector) -> None:
    _insert(
        conn,
        MARKETS,
        [
            {"id": m.id, "preset": m.preset, "title": m.title, "created_at": m.created_at}
            for m in snap.markets.values()
            if m.new
        ],
    )
    sellers = list(snap.sellers.values())
    _insert(
        conn,
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
        conn,
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
        conn,
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
        conn,
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
        conn,
        ORDERS,
        [
            {
                "b_id": o.id,
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
        conn,
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
    if _update(conn, CONVS, moved, cas=True) != len(moved):
        raise Stale
    _insert(
        conn,
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
        conn,
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
        conn,
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
    _insert(conn, EVENTS, done.event_rows)

"""The projector's state: what a chunk of events (or one) refers to, loaded in a few queries
before any event is applied.

Three rounds of `IN (...)` queries: the chunk's event ids, conversations and orders; then the
sellers and buyers those name, the messages of the conversations that receive messages, and
the conversations about orders that may get a stage message; then the marketplaces and the
sellers' stage settings. The ORM identity map is not involved (no lazy loads in the loop).

A conversation whose new messages are all later than its newest stored message needs only its
unanswered buyer messages (`ConvRec.partial`): the stored answers stand, the turn rules only
ever answer earlier buyer messages, and the first reply is already stored. That keeps a post
to a long thread from reading the whole thread.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, Table, select

from servicenorm.events import Event
from servicenorm.events import models as ev
from servicenorm.helpdesk.projection.records import (
    BuyerRec,
    CallRec,
    ConvRec,
    MarketRec,
    MessageRec,
    OrderRec,
    QuestionRec,
    ReviewRec,
    SellerRec,
    StatusRec,
    TurnRec,
)
from servicenorm.store.events import STATUS_TYPES
from servicenorm.store.tables import (
    Buyer,
    CallItem,
    Conversation,
    EventRow,
    Marketplace,
    Message,
    Order,
    ProactiveStage,
    QuestionItem,
    ReviewItem,
    Seller,
    TurnItem,
    Violation,
)

STAGE_EVENTS = (ev.OrderPlaced, ev.OrderShipped, ev.OrderDelivered, ev.OrderCancelled)
IN_LIMIT = 5000  # ids per IN list (SQLite allows 32,766 parameters, PostgreSQL 65,535)


def _table(model: Any) -> Table:
    t: Table = model.__table__
    return t


EVENTS, MARKETS, SELLERS, BUYERS = (
    _table(EventRow),
    _table(Marketplace),
    _table(Seller),
    _table(Buyer),
)
ORDERS, CONVS, MESSAGES, STAGES, VIOLATIONS = (
    _table(Order),
    _table(Conversation),
    _table(Message),
    _table(ProactiveStage),
    _table(Violation),
)
QUESTIONS, TURNS, CALLS, REVIEWS = (
    _table(QuestionItem),
    _table(TurnItem),
    _table(CallItem),
    _table(ReviewItem),
)


@dataclass
class State:
    events: dict[str, dict[str, Any]] = field(default_factory=dict)  # payload by event id
    markets: dict[str, MarketRec] = field(default_factory=dict)
    sellers: dict[str, SellerRec] = field(default_factory=dict)
    buyers: dict[str, BuyerRec] = field(default_factory=dict)
    orders: dict[str, OrderRec] = field(default_factory=dict)
    convs: dict[str, ConvRec] = field(default_factory=dict)
    convs_by_order: dict[str, list[ConvRec]] = field(default_factory=lambda: defaultdict(list))
    message_ids: set[str] = field(
        default_factory=set
    )  # stored message ids the chunk's messages could take
    message_event_ids: set[str] = field(
        default_factory=set
    )  # stored messages' event ids among the chunk's ids
    stages: dict[str, dict[str, tuple[bool, dict[str, str]]]] = field(
        default_factory=dict
    )  # seller -> stage rows
    # evidence items: a seller's status events (for its calls, in the order they apply), the
    # stored calls a late status event may judge again, and the chunk's reviews
    statuses: dict[str, list[StatusRec]] = field(default_factory=dict)
    calls: dict[str, CallRec] = field(default_factory=dict)
    reviews: list[ReviewRec] = field(default_factory=list)


def _rows(
    conn: Connection, ids: Collection[str], query: Callable[[list[str]], Select[Any]]
) -> Iterable[Row[Any]]:
    keys = sorted(ids)
    for i in range(0, len(keys), IN_LIMIT):
        yield from conn.execute(query(keys[i : i + IN_LIMIT]))


def load(conn: Connection, events: Sequence[Event], *, fresh_ids: bool = False) -> State:
    """The state `events` need; `fresh_ids` when the caller made their ids just now (an API
    post: nothing stored can have them, so they are not looked up)."""
    snap = State()
    event_ids = {e.id for e in events}
    conv_ids: set[str] = set()
    talked_to: dict[str, list[datetime]] = {}  # conversations that receive a message_sent
    judged: set[str] = set()  # sellers whose calls are judged (calls or status events)
    restatus: dict[str, datetime] = {}  # sellers with status events: the earliest
    order_ids: set[str] = set()
    staged_orders: set[str] = set()
    seller_ids: set[str] = set()
    buyer_ids: set[str] = set()
    market_ids: set[str] = set()
    message_ids: set[str] = set()
    for e in events:
        if isinstance(seller := getattr(e, "seller", None), str):
            seller_ids.add(seller)
        if isinstance(order := getattr(e, "order", None), str):
            order_ids.add(order)
        if isinstance(e, ev.SellerRegistered):
            market_ids.add(e.marketplace)
        elif isinstance(e, ev.QuestionOpened):
            conv_ids.add(e.conversation)
            buyer_ids.add(e.buyer)
            message_ids.add(e.id)
        elif isinstance(e, ev.MessageSent):
            conv_ids.add(e.conversation)
            talked_to.setdefault(e.conversation, []).append(e.at)
            message_ids.add(e.id)
        elif isinstance(e, ev.CallAttempt):
            judged.add(e.seller)
        elif isinstance(e, ev.PhoneHoursSet | ev.ShopClosed | ev.ShopReopened):
            judged.add(e.seller)
            first = restatus.get(e.seller)
            restatus[e.seller] = e.at if first is None else min(first, e.at)
        elif isinstance(e, STAGE_EVENTS):
            staged_orders.add(e.order)
            conv_ids.add(f"order-{e.order}")  # the id a stage message's own conversation would take
            message_ids.add(f"{e.id}:stage")
            if isinstance(e, ev.OrderPlaced):
                buyer_ids.add(e.buyer)

    if fresh_ids:
        event_ids, message_ids = set(), set()
    for r in _rows(
        conn,
        event_ids,
        lambda ids: select(EVENTS.c.id, EVENTS.c.payload).where(EVENTS.c.id.in_(ids)),
    ):
        snap.events[r.id] = r.payload
    for r in _rows(
        conn, message_ids, lambda ids: select(MESSAGES.c.id).where(MESSAGES.c.id.in_(ids))
    ):
        snap.message_ids.add(r.id)
    for r in _rows(
        conn, event_ids, lambda ids: select(MESSAGES.c.event_id).where(MESSAGES.c.event_id.in_(ids))
    ):
        snap.message_event_ids.add(r.event_id)
    for r in _rows(conn, order_ids, lambda ids: select(ORDERS).where(ORDERS.c.id.in_(ids))):
        snap.orders[r.id] = OrderRec(**r._asdict())
        seller_ids.add(r.seller_id)
        buyer_ids.add(r.buyer_id)
    _load_conversations(conn, snap, conv_ids, staged_orders, talked_to)
    seller_ids.update(c.seller_id for c in snap.convs.values())

    for c in snap.convs.values():
        if c.messages is not None:
            ats = talked_to[c.id]
            # later than the stored thread, and in time order among themselves
            c.partial = ats[0] > c.last_message_at and all(
                a <= b for a, b in itertools.pairwise(ats)
            )
            c.first_reply_before = c.first_reply_at if c.partial else None
    full = [c.id for c in snap.convs.values() if c.messages is not None and not c.partial]
    part = [c.id for c in snap.convs.values() if c.partial]
    for r in _messages(conn, full, part):
        conv_msgs = snap.convs[r.conversation_id].messages
        assert conv_msgs is not None
        conv_msgs.append(
            MessageRec(
                id=r.id,
                conversation_id=r.conversation_id,
                author=r.author,
                body="",
                automated=r.automated,
                at=r.at,
                deadline=r.deadline,
                answered_at=r.answered_at,
                event_id=r.event_id,
                stored_answered_at=r.answered_at,
            )
        )
    _load_items(conn, snap, full, part)
    _load_statuses(conn, snap, judged, restatus)
    for r in _rows(
        conn,
        seller_ids,
        lambda ids: select(
            SELLERS.c.id,
            SELLERS.c.marketplace_id,
            SELLERS.c.name,
            SELLERS.c.country,
            SELLERS.c.linked_sellers,
            SELLERS.c.registered_at,
            SELLERS.c.proactive_enabled,
            SELLERS.c.closed,
        ).where(SELLERS.c.id.in_(ids)),
    ):
        snap.sellers[r.id] = SellerRec(**r._asdict())
        market_ids.add(r.marketplace_id)
    for r in _rows(conn, buyer_ids, lambda ids: select(BUYERS).where(BUYERS.c.id.in_(ids))):
        snap.buyers[r.id] = BuyerRec(**r._asdict())

    for r in _rows(conn, market_ids, lambda ids: select(MARKETS).where(MARKETS.c.id.in_(ids))):
        snap.markets[r.id] = MarketRec(**r._asdict())
    proactive = (
        [x.id for x in snap.sellers.values() if x.proactive_enabled] if staged_orders else []
    )
    for r in _rows(conn, proactive, lambda ids: select(STAGES).where(STAGES.c.seller_id.in_(ids))):
        snap.stages.setdefault(r.seller_id, {})[r.stage] = (r.enabled, dict(r.templates))
    return snap


def _load_conversations(
    conn: Connection,
    snap: State,
    conv_ids: set[str],
    staged_orders: set[str],
    talked_to: Collection[str],
) -> None:
    """By id, and about the orders that may get a stage message (which picks the order's
    earliest conversation with its buyer). Those that receive messages get a message list."""
    cols = [
        CONVS.c.id,
        CONVS.c.seller_id,
        CONVS.c.buyer_id,
        CONVS.c.order_id,
        CONVS.c.origin,
        CONVS.c.opened_at,
        CONVS.c.last_message_at,
        CONVS.c.subject,
        CONVS.c.awaiting_since,
        CONVS.c.deadline,
        CONVS.c.first_reply_at,
        CONVS.c.version,
    ]
    found = [
        *_rows(conn, conv_ids, lambda ids: select(*cols).where(CONVS.c.id.in_(ids))),
        *_rows(conn, staged_orders, lambda ids: select(*cols).where(CONVS.c.order_id.in_(ids))),
    ]
    # the order's conversations in the order the database lists them by time (ties as it does)
    found.sort(key=lambda r: r.opened_at)
    for r in found:
        if r.id in snap.convs:
            continue
        c = ConvRec(
            **r._asdict(), stored_version=r.version, messages=[] if r.id in talked_to else None
        )
        snap.convs[c.id] = c
        if c.order_id is not None:
            snap.convs_by_order[c.order_id].append(c)


def _messages(conn: Connection, full: list[str], partial: list[str]) -> Iterable[Row[Any]]:
    """Every message of the `full` conversations; the unanswered buyer messages of the others."""
    cols = (
        MESSAGES.c.id,
        MESSAGES.c.conversation_id,
        MESSAGES.c.author,
        MESSAGES.c.automated,
        MESSAGES.c.at,
        MESSAGES.c.deadline,
        MESSAGES.c.answered_at,
        MESSAGES.c.event_id,
    )
    yield from _rows(
        conn, full, lambda ids: select(*cols).where(MESSAGES.c.conversation_id.in_(ids))
    )
    yield from _rows(
        conn,
        partial,
        lambda ids: select(*cols).where(
            MESSAGES.c.conversation_id.in_(ids),
            MESSAGES.c.author == "buyer",
            MESSAGES.c.answered_at.is_(None),
        ),
    )


def _load_items(conn: Connection, snap: State, full: list[str], partial: list[str]) -> None:
    """The question and turns of each stored conversation that receives messages: every turn,
    or when partial only the open one."""
    for r in _rows(
        conn,
        [*full, *partial],
        lambda ids: select(QUESTIONS).where(QUESTIONS.c.conversation_id.in_(ids)),
    ):
        c = snap.convs[r.conversation_id]
        c.question = QuestionRec(**r._asdict())
        c.turns = {}
    for r in _rows(conn, full, lambda ids: select(TURNS).where(TURNS.c.conversation_id.in_(ids))):
        turns = snap.convs[r.conversation_id].turns
        if turns is not None:
            turns[r.id] = TurnRec(**r._asdict())
    for r in _rows(
        conn,
        partial,
        lambda ids: select(TURNS).where(
            TURNS.c.conversation_id.in_(ids), TURNS.c.replied_at.is_(None)
        ),
    ):
        turns = snap.convs[r.conversation_id].turns
        if turns is not None:
            turns[r.id] = TurnRec(**r._asdict())


def _load_statuses(
    conn: Connection, snap: State, judged: set[str], restatus: dict[str, datetime]
) -> None:
    """The status events of sellers whose calls the chunk judges, and the stored calls a
    status event of the chunk may judge again (those at or after it)."""
    status = EVENTS.c.type.in_(STATUS_TYPES)
    for r in _rows(
        conn,
        judged,
        lambda ids: select(
            EVENTS.c.id, EVENTS.c.seller_id, EVENTS.c.at, EVENTS.c.type, EVENTS.c.payload
        ).where(EVENTS.c.seller_id.in_(ids), status),
    ):
        hours = r.payload.get("hours") if r.type == "phone_hours_set" else None
        snap.statuses.setdefault(r.seller_id, []).append(
            StatusRec(r.id, r.at, r.type, None if hours is None else canonical(hours))
        )
    for seller_statuses in snap.statuses.values():
        seller_statuses.sort(key=lambda st: (st.at, st.event_id))
    if not restatus:
        return
    since = min(restatus.values())
    for r in _rows(
        conn,
        restatus,
        lambda ids: select(CALLS).where(CALLS.c.seller_id.in_(ids), CALLS.c.at >= since),
    ):
        snap.calls[r.event_id] = CallRec(**r._asdict())


def canonical(hours: object) -> str:
    """Phone hours as one JSON text (equal hours, equal text: calendars are cached by it)."""
    return json.dumps(hours, sort_keys=True, separators=(",", ":"))

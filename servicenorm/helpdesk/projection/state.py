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
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Column, Connection, Table

from servicenorm.clock import to_us
from servicenorm.events import Event
from servicenorm.events import models as ev
from servicenorm.helpdesk.projection.keys import event_key, named
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
from servicenorm.helpdesk.projection.sql import Db
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
    # the open questions and turns of stored sellers the chunk registers again (a new
    # country moves their deadlines); the conversations' own records where loaded
    open_items: dict[str, list[QuestionRec | TurnRec]] = field(default_factory=dict)


def load(
    conn: Connection,
    events: Sequence[Event],
    *,
    fresh_ids: bool = False,
    staged: tuple[str, str] | None = None,
    heads: Prefetched | None = None,
) -> State:
    """The state `events` need; `fresh_ids` when the caller made their ids just now (an API
    post: nothing stored can have them, so they are not looked up); `staged` an order that
    gets a stage message without an event (a delay notice: the order and the message's
    event id), read as an order event's; `heads` what the caller read in this transaction of
    the conversation the events name (`read_post`: an API post's access check), not read
    again."""
    snap = State()
    db = Db(conn)
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
    message_ids: set[str] = set()  # ids of events that are messages
    staged_events: set[str] = set()  # ids of events that may make a stage message
    made_ids: set[str] = set()  # message ids the API made (a delay notice's), looked up as they are
    if staged is not None:
        order_ids.add(staged[0])
        staged_orders.add(staged[0])
        conv_ids.add(f"order-{staged[0]}")
        made_ids.add(f"{staged[1]}:stage")
    for e in events:
        if isinstance(seller := named(e, "seller"), str):
            seller_ids.add(seller)
        if isinstance(order := named(e, "order"), str):
            order_ids.add(order)
        if isinstance(e, ev.SellerRegistered):
            market_ids.add(e.marketplace)
        elif isinstance(e, ev.QuestionOpened):
            conv_ids.add(e.conversation)
            buyer_ids.add(e.buyer)
            message_ids.add(e.id)
        elif isinstance(e, ev.MessageSent | ev.ReplyWaived):
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
            staged_events.add(e.id)
            if isinstance(e, ev.OrderPlaced):
                buyer_ids.add(e.buyer)

    for r in db.fetch(ORDERS, None, "id", order_ids):
        snap.orders[r["id"]] = OrderRec(**r)
        seller_ids.add(r["seller_id"])
        buyer_ids.add(r["buyer_id"])
    read = _load_conversations(db, snap, conv_ids, staged_orders, talked_to, heads)
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
    for r in _messages(db, full, part, read):
        conv_msgs = snap.convs[r["conversation_id"]].messages
        assert conv_msgs is not None
        conv_msgs.append(MessageRec(body="", stored_answered_at=r["answered_at"], **r))
    _load_items(db, snap, full, part, read)
    _load_open_items(db, snap, {e.seller for e in events if isinstance(e, ev.SellerRegistered)})
    _load_statuses(db, snap, judged, restatus)
    for r in db.fetch(SELLERS, SELLER_COLS, "id", seller_ids - snap.sellers.keys()):
        snap.sellers[r["id"]] = SellerRec(**r)
        market_ids.add(r["marketplace_id"])
    for r in db.fetch(BUYERS, None, "id", buyer_ids):
        snap.buyers[r["id"]] = BuyerRec(**r)

    for r in db.fetch(MARKETS, MARKET_COLS, "id", market_ids - snap.markets.keys()):
        snap.markets[r["id"]] = MarketRec(**r)
    if not fresh_ids:
        # every marketplace an event of the chunk can belong to: those it registers sellers
        # with, and those of the sellers it names (fetched, or loaded with their conversations)
        markets = (
            market_ids | snap.markets.keys() | {x.marketplace_id for x in snap.sellers.values()}
        )
        _load_keys(db, snap, event_ids, message_ids, staged_events, markets)
        for r in db.fetch(MESSAGES, ("id",), "id", made_ids):
            snap.message_ids.add(r["id"])
    proactive = (
        [x.id for x in snap.sellers.values() if x.proactive_enabled] if staged_orders else []
    )
    for r in db.fetch(STAGES, None, "seller_id", proactive):
        snap.stages.setdefault(r["seller_id"], {})[r["stage"]] = (
            r["enabled"],
            dict(r["templates"]),
        )
    _remember(snap)
    return snap


def _remember(snap: State) -> None:
    """Each stored evidence item keeps what it counts as loaded (`was`): the writer moves the
    aggregates by the difference to what it counts once the events are applied."""
    for o in snap.orders.values():
        o.was = o.facts()
    for c in snap.convs.values():
        if c.question is not None:
            c.question.was = c.question.facts()
        for t in (c.turns or {}).values():
            t.was = t.facts()
    for items in snap.open_items.values():
        for x in items:
            x.was = x.facts()
    for call in snap.calls.values():
        call.was = call.facts()


def _load_keys(
    db: Db,
    snap: State,
    event_ids: set[str],
    message_ids: set[str],
    staged_events: set[str],
    market_ids: set[str],
) -> None:
    """The stored events and messages the chunk's ids could name. An event is stored under its
    marketplace's key (`keys.event_key`), and its marketplace is the one it registers a seller
    with or the one of the seller it concerns (stored, or registered in the chunk): one of
    `market_ids`. Keys of the other marketplaces match nothing of this event's."""
    keys = {event_key(m, i) for m in market_ids for i in event_ids}
    messages = {event_key(m, i) for m in market_ids for i in message_ids}
    messages |= {f"{event_key(m, i)}:stage" for m in market_ids for i in staged_events}
    for r in db.fetch(EVENTS, ("id", "payload"), "id", keys):
        snap.events[r["id"]] = r["payload"]
    for r in db.fetch(MESSAGES, ("id",), "id", messages):
        snap.message_ids.add(r["id"])
    for r in db.fetch(MESSAGES, ("event_id",), "event_id", keys):
        snap.message_event_ids.add(r["event_id"])


CONV_COLS = (
    "id",
    "seller_id",
    "buyer_id",
    "order_id",
    "origin",
    "opened_at",
    "last_message_at",
    "subject",
    "awaiting_since",
    "deadline",
    "first_reply_at",
    "version",
)
MESSAGE_COLS = (
    "id",
    "conversation_id",
    "author",
    "automated",
    "at",
    "deadline",
    "answered_at",
    "event_id",
    "stage",  # a waiver (`turns.WAIVER_STAGE`) settles and may be the first response
)
MARKET_COLS = ("id", "preset", "title", "created_at")
TURN_COLS = (
    "id",
    "conversation_id",
    "seller_id",
    "received_at",
    "deadline",
    "replied_at",
    "replied_by",
)
QUESTION_COLS = (
    "conversation_id",
    "seller_id",
    "message_id",
    "order_id",
    "received_at",
    "deadline",
    "first_reply_at",
    "first_reply_by",
)
SELLER_COLS = (
    "id",
    "marketplace_id",
    "name",
    "country",
    "linked_sellers",
    "registered_at",
    "proactive_enabled",
    "closed",
)


def _load_conversations(
    db: Db,
    snap: State,
    conv_ids: set[str],
    staged_orders: set[str],
    talked_to: Collection[str],
    heads: Prefetched | None,
) -> Heads:
    """By id, and about the orders that may get a stage message (which picks the order's
    earliest conversation with its buyer). Those that receive messages get a message list.
    Returns the items (and messages) read with the conversations read by id."""
    read = Heads()
    if heads is not None and {heads.conversation_id} != conv_ids:
        heads = None  # read for another conversation than these: read again
    if heads is not None:
        read.unanswered[heads.conversation_id] = heads.unanswered
    found = list(_conversations(db, snap, conv_ids, read, None if heads is None else heads.rows))
    found += db.fetch(CONVS, CONV_COLS, "order_id", staged_orders)
    # the order's conversations in the order the database lists them by time (ties as it does)
    found.sort(key=lambda r: r["opened_at"])
    for r in found:
        if r["id"] in snap.convs:
            continue
        c = ConvRec(**r, stored_version=r["version"], messages=[] if r["id"] in talked_to else None)
        snap.convs[c.id] = c
        if c.order_id is not None:
            snap.convs_by_order[c.order_id].append(c)
    return read


@dataclass
class Heads:
    """What the head query read with each conversation read by id: its question item (None:
    it has none) and its open turns (unanswered: at most one, the latest)."""

    questions: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    open_turns: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # a post's conversation: its unanswered buyer messages, read with it (`read_post`)
    unanswered: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _conversations(
    db: Db,
    snap: State,
    conv_ids: set[str],
    read: Heads,
    heads: Sequence[tuple[Any, ...]] | None,
) -> Iterable[dict[str, Any]]:
    """The conversations by id, with their sellers, marketplaces, question items and open turns
    in the same query (kept in the state and `read`: the seller, marketplace and item queries
    then skip them); `heads` when the caller read them already."""
    sql, cols = head_query()
    n_conv, n_seller, n_market = len(CONV_COLS), len(SELLER_COLS), len(MARKET_COLS)
    at_market, at_question = n_conv + n_seller, n_conv + n_seller + n_market
    at_turn = at_question + len(QUESTION_COLS)
    at_end = at_turn + len(TURN_COLS)
    rows = heads if heads is not None else db.fetch_rows(sql, cols, "c.id", conv_ids)
    for row in rows:
        seller = dict(zip(SELLER_COLS, row[n_conv:at_market], strict=True))
        market = dict(zip(MARKET_COLS, row[at_market:at_question], strict=True))
        snap.sellers.setdefault(seller["id"], SellerRec(**seller))
        snap.markets.setdefault(market["id"], MarketRec(**market))
        q, t = row[at_question:at_turn], row[at_turn:at_end]
        read.questions[row[0]] = None if q[0] is None else dict(zip(QUESTION_COLS, q, strict=True))
        turns = read.open_turns.setdefault(row[0], {})
        if t[0] is not None:
            turns[t[0]] = dict(zip(TURN_COLS, t, strict=True))
        yield dict(zip(CONV_COLS, row[:n_conv], strict=True))


# the head query's columns by name (`c.` conversation, `s.` seller, `m.` marketplace, `q.`
# question item, `t.` open turn), in the order of its rows
HEAD_NAMES = (
    *(f"c.{n}" for n in CONV_COLS),
    *(f"s.{n}" for n in SELLER_COLS),
    *(f"m.{n}" for n in MARKET_COLS),
    *(f"q.{n}" for n in QUESTION_COLS),
    *(f"t.{n}" for n in TURN_COLS),
    "c.taken_over_at",  # not the projector's: an API post's access check reads it
)


HEAD_FROM = (
    "conversations c JOIN sellers s ON s.id = c.seller_id "
    "JOIN marketplaces m ON m.id = s.marketplace_id "
    "LEFT JOIN question_items q ON q.conversation_id = c.id "
    "LEFT JOIN turn_items t ON t.conversation_id = c.id AND t.replied_at IS NULL"
)


@lru_cache(maxsize=1)
def head_query() -> tuple[str, list[Column[Any]]]:
    """The head query (SQL up to its WHERE on `c.id`, and its columns, `HEAD_NAMES`): each
    conversation with its seller, marketplace, question item and open turn."""
    tables = {"c": CONVS, "s": SELLERS, "m": MARKETS, "q": QUESTIONS, "t": TURNS}
    cols = [tables[n[0]].c[n[2:]] for n in HEAD_NAMES]
    return f"SELECT {head_columns()} FROM {HEAD_FROM}", cols


def head_columns(alias: str = "") -> str:
    """The head query's select list; with `alias`, each column named `alias` and its place."""
    return ", ".join(
        f'{n[0]}."{n[2:]}"' + (f" AS {alias}{i}" if alias else "") for i, n in enumerate(HEAD_NAMES)
    )


def _messages(db: Db, full: list[str], partial: list[str], read: Heads) -> Iterable[dict[str, Any]]:
    """Every message of the `full` conversations; the unanswered buyer messages of the others
    (`UNANSWERED`; those read with their conversation not again)."""
    yield from db.fetch(MESSAGES, MESSAGE_COLS, "conversation_id", full)
    for cid in partial:
        yield from read.unanswered.get(cid, ())
    yield from db.fetch(
        MESSAGES,
        MESSAGE_COLS,
        "conversation_id",
        [cid for cid in partial if cid not in read.unanswered],
        where=UNANSWERED,
    )


UNANSWERED = "author = 'buyer' AND answered_at IS NULL"


@dataclass(frozen=True)
class Prefetched:
    """What a post reads of its conversation before the projector (`read_post`): the head
    query's rows, and the conversation's unanswered buyer messages (`MESSAGE_COLS`)."""

    conversation_id: str
    rows: list[tuple[Any, ...]]
    unanswered: list[dict[str, Any]]


@lru_cache(maxsize=8)
def _post_sql(pg: bool, check: str) -> tuple[str, list[Column[Any] | None]]:
    mark = "%s" if pg else "?"
    n = len(HEAD_NAMES)
    msgs = ", ".join(f'u."{c}" AS u{i}' for i, c in enumerate(MESSAGE_COLS))
    outer = ", ".join(
        [*(f"h.h{i}" for i in range(n)), *(f"h.u{i}" for i in range(len(MESSAGE_COLS)))]
    )
    sql = (
        f"SELECT ({check.format(mark=mark)}) AS ok, {outer} FROM (SELECT 1 AS one) o "
        f"LEFT JOIN (SELECT {head_columns('h')}, {msgs} FROM {HEAD_FROM} "
        "LEFT JOIN messages u ON u.conversation_id = c.id "
        "AND u.author = 'buyer' AND u.answered_at IS NULL "  # UNANSWERED
        f"WHERE c.id = {mark}) h ON 1 = 1"
    )
    return sql, [None, *head_query()[1], *(MESSAGES.c[c] for c in MESSAGE_COLS)]


def read_post(
    conn: Connection, conversation_id: str, check: str = "1 = 1", params: Sequence[Any] = ()
) -> tuple[bool, Prefetched | None]:
    """One statement before a post: the SQL condition `check` (`{mark}` for each of its
    `params`; say, that the caller's token is still valid), and what `load` reads of the
    conversation (None: there is no such conversation)."""
    db = Db(conn)
    sql, cols = _post_sql(db.pg, check)
    found = db.fetch_all(sql, cols, (*params, conversation_id))
    if found[0][1] is None:
        return bool(found[0][0]), None
    n = len(HEAD_NAMES)
    turn = HEAD_NAMES.index("t.id")
    # one row per unanswered buyer message (times the open turn: at most one)
    rows = {r[1 + turn]: r[1 : 1 + n] for r in found}
    unanswered = {
        r[1 + n]: dict(zip(MESSAGE_COLS, r[1 + n :], strict=True))
        for r in found
        if r[1 + n] is not None
    }
    return bool(found[0][0]), Prefetched(
        conversation_id, list(rows.values()), list(unanswered.values())
    )


def _load_items(
    db: Db,
    snap: State,
    full: list[str],
    partial: list[str],
    read: Heads,
) -> None:
    """The question and turns of each stored conversation that receives messages: every turn,
    or when partial only the open one. Items read with their conversations are not read
    again."""
    rows = [r for cid in (*full, *partial) if (r := read.questions.get(cid)) is not None]
    unread = [cid for cid in (*full, *partial) if cid not in read.questions]
    for r in [*rows, *db.fetch(QUESTIONS, None, "conversation_id", unread)]:
        c = snap.convs[r["conversation_id"]]
        c.question = QuestionRec(**r)
        c.turns = {}
    opened = [t for cid in partial for t in read.open_turns.get(cid, {}).values()]
    unopened = [cid for cid in partial if cid not in read.open_turns]
    for r in [
        *db.fetch(TURNS, None, "conversation_id", full),
        *opened,
        *db.fetch(TURNS, None, "conversation_id", unopened, where="replied_at IS NULL"),
    ]:
        turns = snap.convs[r["conversation_id"]].turns
        if turns is not None:
            turns[r["id"]] = TurnRec(**r)


def _load_open_items(db: Db, snap: State, sellers: set[str]) -> None:
    """The unanswered questions and open turns of `sellers` (those registered again)."""
    for r in db.fetch(QUESTIONS, None, "seller_id", sellers, where="first_reply_at IS NULL"):
        c = snap.convs.get(r["conversation_id"])
        q = c.question if c is not None and c.question is not None else QuestionRec(**r)
        snap.open_items.setdefault(q.seller_id, []).append(q)
    for r in db.fetch(TURNS, None, "seller_id", sellers, where="replied_at IS NULL"):
        c = snap.convs.get(r["conversation_id"])
        known = c.turns.get(r["id"]) if c is not None and c.turns is not None else None
        t = known if known is not None else TurnRec(**r)
        snap.open_items.setdefault(t.seller_id, []).append(t)


def _load_statuses(db: Db, snap: State, judged: set[str], restatus: dict[str, datetime]) -> None:
    """The status events of sellers whose calls the chunk judges, and the stored calls a
    status event of the chunk may judge again (those at or after it)."""
    types = ", ".join(f"'{t}'" for t in STATUS_TYPES)
    for r in db.fetch(
        EVENTS,
        ("id", "seller_id", "at", "type", "payload"),
        "seller_id",
        judged,
        where=f'"type" IN ({types})',
    ):
        hours = r["payload"].get("hours") if r["type"] == "phone_hours_set" else None
        # ties at one instant in the order of the events' own ids (the payload's), as metric runs
        own_id = str(r["payload"].get("id", r["id"]))
        snap.statuses.setdefault(r["seller_id"], []).append(
            StatusRec(own_id, r["at"], r["type"], None if hours is None else canonical(hours))
        )
    for seller_statuses in snap.statuses.values():
        seller_statuses.sort(key=lambda st: (st.at, st.event_id))
    if not restatus:
        return
    since = to_us(min(restatus.values()))  # an integer literal: instants are stored as such
    for r in db.fetch(CALLS, None, "seller_id", restatus, where=f'"at" >= {int(since)}'):
        snap.calls[r["event_id"]] = CallRec(**r)


def canonical(hours: object) -> str:
    """Phone hours as one JSON text (equal hours, equal text: calendars are cached by it)."""
    return json.dumps(hours, sort_keys=True, separators=(",", ":"))

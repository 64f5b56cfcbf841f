"""Ingest events from an operator's systems (SPEC R6.1; shared/contract/events.md).

Each event is validated by `servicenorm.events`, stored once in the event log (idempotent
by id) and projected onto the helpdesk: sellers, buyers, orders, conversations, messages
with their deadlines, and the proactive stage messages order events trigger. One bad line
is reported, never fatal.

Two paths with the same results (tests/helpdesk/test_ingest_paths.py compares the stores they
leave): `ingest_one`/`ingest_each` apply one event at a time through the ORM, each in its own
savepoint; `ingest_many` takes chunks of `CHUNK` lines through `helpdesk.bulk` (a few queries
and one executemany per table per chunk) and hands a chunk to `ingest_each` in the rare cases
only the database can decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from servicenorm.events import Event, EventError
from servicenorm.events import models as ev
from servicenorm.helpdesk import ingest_lines as lines
from servicenorm.helpdesk.bulk import PerEvent, apply_chunk
from servicenorm.helpdesk.conversations import resettle
from servicenorm.helpdesk.errors import HelpdeskError
from servicenorm.helpdesk.ingest_lines import IngestReport, LineError, line_id, parse_line
from servicenorm.helpdesk.policies import checked_policy, deadline_for
from servicenorm.helpdesk.principal import Principal, require_role
from servicenorm.helpdesk.proactive import stage_message
from servicenorm.store.tables import (
    Buyer,
    Conversation,
    EventRow,
    Marketplace,
    Message,
    Order,
    Seller,
)

__all__ = ["CHUNK", "IngestReport", "LineError", "ingest_each", "ingest_many", "ingest_one"]


def _seller(s: Session, seller_id: str, fld: str = "seller") -> Seller:
    seller = s.get(Seller, seller_id)
    if seller is None:
        raise lines.unknown_seller(seller_id, fld)
    return seller


def _order(s: Session, order_id: str) -> Order:
    order = s.get(Order, order_id)
    if order is None:
        raise lines.unknown_order(order_id)
    return order


def _conversation(s: Session, cid: str) -> Conversation:
    conv = s.get(Conversation, cid)
    if conv is None:
        raise lines.unknown_conversation(cid)
    return conv


def _buyer(s: Session, buyer_id: str, seller: Seller, at: datetime) -> Buyer:
    buyer = s.get(Buyer, buyer_id)
    if buyer is None:
        buyer = Buyer(
            id=buyer_id,
            marketplace_id=seller.marketplace_id,
            name=buyer_id,
            language=None,
            created_at=at,
        )
        s.add(buyer)
        s.flush()
    elif buyer.marketplace_id != seller.marketplace_id:
        raise lines.buyer_elsewhere(buyer_id)
    return buyer


def _market_of(s: Session, e: Event) -> str | None:
    """The marketplace an event concerns (for an operator's scope), None when unknown yet."""
    if isinstance(e, ev.SellerRegistered):
        return e.marketplace
    seller_id = getattr(e, "seller", None)
    if seller_id is None and hasattr(e, "order"):
        o = s.get(Order, e.order) if isinstance(e.order, str) else None
        seller_id = o.seller_id if o else None
    if seller_id is None and hasattr(e, "conversation"):
        c = s.get(Conversation, e.conversation)
        seller_id = c.seller_id if c else None
    seller = s.get(Seller, seller_id) if seller_id else None
    return seller.marketplace_id if seller else None


def _seller_id_of(s: Session, e: Event) -> str | None:
    sid = getattr(e, "seller", None)
    if isinstance(sid, str):
        return sid
    if isinstance(e, ev.MessageSent):
        c = s.get(Conversation, e.conversation)
        return c.seller_id if c else None
    order_id = getattr(e, "order", None)
    if isinstance(order_id, str):
        o = s.get(Order, order_id)
        return o.seller_id if o else None
    return None


def _add_message(
    s: Session,
    conv: Conversation,
    seller: Seller,
    preset: str,
    id: str,
    author: str,
    body: str,
    automated: bool,
    at: datetime,
) -> None:
    deadline = deadline_for(preset, seller.country, at) if author == "buyer" else None
    s.add(
        Message(
            id=id,
            conversation_id=conv.id,
            author=author,
            body=body,
            automated=automated,
            at=at,
            deadline=deadline,
            event_id=id,
        )
    )
    s.flush()
    resettle(s, conv)


def _project(s: Session, e: Event) -> None:
    if isinstance(e, ev.SellerRegistered):
        market = s.get(Marketplace, e.marketplace)
        if market is None:
            policy = checked_policy(e.marketplace, "marketplace")
            market = Marketplace(
                id=e.marketplace, preset=e.marketplace, title=policy.title, created_at=e.at
            )
            s.add(market)
            s.flush()
        seller = s.get(Seller, e.seller)
        if seller is None:
            s.add(
                Seller(
                    id=e.seller,
                    marketplace_id=market.id,
                    name=e.seller,
                    country=e.country,
                    linked_sellers=list(e.linked_sellers),
                    registered_at=e.at,
                    proactive_enabled=checked_policy(
                        market.preset, "marketplace"
                    ).proactive_messages,
                    closed=False,
                )
            )
        elif seller.marketplace_id != market.id:
            raise lines.seller_elsewhere(e.seller, seller.marketplace_id)
        else:
            seller.country, seller.linked_sellers = e.country, list(e.linked_sellers)
    elif isinstance(e, ev.QuestionOpened):
        seller = _seller(s, e.seller)
        buyer = _buyer(s, e.buyer, seller, e.at)
        if e.order is not None:
            o = _order(s, e.order)
            if o.seller_id != seller.id or o.buyer_id != buyer.id:
                raise lines.order_not_between(e.order)
        if s.get(Conversation, e.conversation) is not None:
            raise lines.conversation_taken(e.conversation)
        conv = Conversation(
            id=e.conversation,
            seller_id=seller.id,
            buyer_id=buyer.id,
            order_id=e.order,
            origin=e.origin,
            opened_at=e.at,
            last_message_at=e.at,
        )
        s.add(conv)
        s.flush()
        market = s.get(Marketplace, seller.marketplace_id)
        assert market is not None
        _add_message(s, conv, seller, market.preset, e.id, "buyer", e.body, False, e.at)
    elif isinstance(e, ev.MessageSent):
        conv = _conversation(s, e.conversation)
        seller = _seller(s, conv.seller_id)
        market = s.get(Marketplace, seller.marketplace_id)
        assert market is not None
        _add_message(s, conv, seller, market.preset, e.id, e.author, e.body, e.is_automated, e.at)
    elif isinstance(e, ev.OrderPlaced):
        seller = _seller(s, e.seller)
        buyer = _buyer(s, e.buyer, seller, e.at)
        if s.get(Order, e.order) is not None:
            raise lines.order_taken(e.order)
        order = Order(
            id=e.order,
            seller_id=seller.id,
            buyer_id=buyer.id,
            placed_at=e.at,
            ship_by=e.ship_by,
            category=e.category,
            amount=str(e.amount),
            currency=e.currency,
        )
        s.add(order)
        s.flush()
        stage_message(s, order, "payment", e.id, e.at)
    elif isinstance(e, ev.OrderShipped):
        order = _order(s, e.order)
        order.shipped_at, order.tracking = e.at, (e.tracking or None)
        stage_message(s, order, "shipped", e.id, e.at)
    elif isinstance(e, ev.CarrierScan):
        _order(s, e.order).scanned_at = e.at
    elif isinstance(e, ev.OrderDelivered):
        order = _order(s, e.order)
        order.delivered_at = e.at
        stage_message(s, order, "delivered", e.id, e.at)
    elif isinstance(e, ev.OrderCancelled):
        order = _order(s, e.order)
        order.cancelled_at = e.at
        stage_message(s, order, "problem", e.id, e.at, problem="cancelled")
    elif isinstance(e, ev.ShopClosed | ev.ShopReopened):
        _seller(s, e.seller).closed = isinstance(e, ev.ShopClosed)
    # the other types (calls, reviews, cases, bills, absences, phone hours) feed metrics and
    # enforcement from the event log; the helpdesk keeps nothing else of them


def ingest_one(s: Session, p: Principal, obj: Any, now: datetime) -> str:
    """Apply one event; returns 'accepted' or 'duplicate'. Raises EventError or HelpdeskError."""
    require_role(p, "operator")
    e, payload = parse_line(obj)
    seen = s.get(EventRow, e.id)
    if seen is not None:
        if seen.payload != payload:
            raise lines.id_reused(e.id)
        return "duplicate"
    market = _market_of(s, e)
    if p.marketplace_id is not None and market is not None and market != p.marketplace_id:
        raise lines.out_of_scope(market)
    with s.begin_nested():
        _project(s, e)
        s.add(
            EventRow(
                id=e.id,
                type=e.type,
                at=e.at,
                seller_id=_seller_id_of(s, e),
                payload=payload,
                received_at=now,
            )
        )
        s.flush()
    return "accepted"


def ingest_each(
    s: Session, p: Principal, objs: Iterable[tuple[int, Any]], now: datetime
) -> IngestReport:
    """Apply numbered objects (line, object) one at a time, each in its own savepoint; a bad
    line becomes a LineError and is skipped."""
    require_role(p, "operator")
    report = IngestReport()
    for line, obj in objs:
        eid = line_id(obj)
        try:
            with s.begin_nested():
                outcome = ingest_one(s, p, obj, now)
        except EventError as err:
            report.errors.append(LineError(line, eid, err.field, err.reason))
            continue
        except HelpdeskError as err:
            report.errors.append(LineError(line, eid, err.field or "(event)", err.message))
            continue
        except IntegrityError:  # another request stored the same id between our check and insert
            report.duplicates += 1
            continue
        if outcome == "duplicate":
            report.duplicates += 1
        else:
            report.accepted += 1
    return report


CHUNK = 2000  # lines per chunk: big enough that queries per chunk cost little per line


def _chunks(objs: Iterable[tuple[int, Any]], size: int) -> Iterator[list[tuple[int, Any]]]:
    it = iter(objs)
    while chunk := list(islice(it, size)):
        yield chunk


def ingest_many(
    s: Session, p: Principal, objs: Iterable[tuple[int, Any]], now: datetime, chunk: int = CHUNK
) -> IngestReport:
    """Apply numbered objects (line, object), a chunk at a time; a bad line becomes a
    LineError and is skipped. The same results as `ingest_each`, many times faster."""
    require_role(p, "operator")
    report = IngestReport()
    for part in _chunks(objs, chunk):
        try:
            report.add(apply_chunk(s, p, part, now))
        except PerEvent:
            report.add(ingest_each(s, p, part, now))
    return report

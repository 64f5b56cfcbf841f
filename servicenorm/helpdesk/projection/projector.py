"""The one projector: events applied to the state's records in memory (`state + event ->
changes`), the only place where an event's rules live. Every entry point goes through it: the
API's question and message posts, `POST /events`, `/events/batch`, `serve --demo DIR`; the
writer (`writer.write`) stores what it changed, for one event or a chunk, in one transaction.

It reads nothing but its state and the clock kernel (deadlines), and writes nothing: the
records it changes carry `new`/`changed` flags, and it lists the new messages, violations and
event-log rows. Line order decides: a message before its question is refused, a repeated id
is a duplicate, and a line is all or nothing (every check runs before anything changes).
Conversations are settled by the messages' own times (`turns.settle`), and `version` moves
once per event that changes the conversation's turn columns (compare-and-set in the writer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from servicenorm.access.errors import Conflict, DomainError, Invalid
from servicenorm.access.principal import Principal
from servicenorm.events import Event, EventError
from servicenorm.events import models as ev
from servicenorm.helpdesk import ingest_lines as lines
from servicenorm.helpdesk.ingest_lines import IngestReport, LineError
from servicenorm.helpdesk.proactive import settings_from, stage_text
from servicenorm.helpdesk.projection.deadlines import Deadlines
from servicenorm.helpdesk.projection.evidence import (
    answers,
    call_status,
    first_reply,
    status_order,
    turns_of,
    waives,
)
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
    ViolationRec,
)
from servicenorm.helpdesk.projection.state import State, canonical
from servicenorm.helpdesk.reply_deadlines import checked_policy
from servicenorm.helpdesk.turns import WAIVER_STAGE, settle
from servicenorm.policy.schema import waiver_refusal
from servicenorm.store.items import WAIVED

Parsed = tuple[Event, dict[str, Any]] | EventError


@dataclass(frozen=True)
class Posting:
    """What the API knows of a message it posts beyond the event: the message's own id, who
    posted it, the text before masking, the saved reply, the subject of a new conversation,
    and the message-policy findings to record."""

    message_id: str
    account_id: str | None = None
    original_body: str | None = None
    saved_reply_id: str | None = None
    subject: str | None = None
    violation: ViolationRec | None = None


class Projector:
    def __init__(self, snap: State, p: Principal, now: datetime) -> None:
        self.snap, self.p, self.now = snap, p, now
        self.report = IngestReport()
        self.event_rows: list[dict[str, Any]] = []
        self.new_messages: list[MessageRec] = []
        self.violations: list[ViolationRec] = []
        self._created_messages: set[str] = set()
        self._deadlines = Deadlines()
        self._posting: Posting | None = None
        self.refusals: dict[int, DomainError] = {}  # line -> why it was refused

    # -- one event from the API ---------------------------------------------------------------

    def post(self, e: Event, payload: dict[str, Any], posting: Posting) -> MessageRec:
        """Apply one question or message the API accepted; raises the refusal, if any."""
        self._deadlines.prime(self.snap, [e])
        self._posting = posting
        try:
            self._accept(e, payload)
        finally:
            self._posting = None
        msg = self.new_messages[-1]
        if posting.violation is not None:
            self.violations.append(posting.violation)
        return msg

    # -- a delay notice from the API ----------------------------------------------------------

    def delay(self, order_id: str, ship_by: datetime, event_id: str) -> MessageRec | None:
        """The seller moves an order's ship-by date (R2.5): the order item gets the new date
        and the buyer the `problem` stage message, if the seller has it on (None otherwise)."""
        order = self._order(order_id)
        if order.shipped_at is not None or order.cancelled_at is not None:
            raise Conflict("the order has shipped or was cancelled already", "order")
        order.ship_by, order.changed = ship_by, True
        sent = len(self.new_messages)
        self._stage(order, "problem", event_id, self.now, problem="delayed")
        return self.new_messages[-1] if len(self.new_messages) > sent else None

    # -- the chunk ------------------------------------------------------------------------

    def run(self, numbered: Sequence[tuple[int, Any, Parsed]]) -> None:
        self._deadlines.prime(
            self.snap, [x[0] for _, _, x in numbered if not isinstance(x, EventError)]
        )
        for line, obj, parsed in numbered:
            self._line(line, obj, parsed)

    def _line(self, line: int, obj: Any, parsed: Parsed) -> None:
        eid = lines.line_id(obj)
        if isinstance(parsed, EventError):
            self.report.errors.append(LineError(line, eid, parsed.field, parsed.reason))
            return
        e, payload = parsed
        try:
            accepted = self._accept(e, payload)
        except DomainError as err:
            self.report.errors.append(LineError(line, eid, err.field or "(event)", err.message))
            self.refusals[line] = err
            return
        if accepted:
            self.report.accepted += 1
        else:
            self.report.duplicates += 1

    def _accept(self, e: Event, payload: dict[str, Any]) -> bool:
        """Apply `e`; False when it is a duplicate. Raises the refusal, having changed nothing."""
        market = self._market_of(e)
        if market is None or self.p.marketplace_id not in (None, market):
            self._unknown(e)  # (an event that names nothing, `case_closed`, goes on)
        key = event_key(market or self.p.marketplace_id or "", e.id)
        seen = self.snap.events.get(key)
        if seen is not None:
            if seen != payload and not lines.same_content(seen, e):
                raise lines.id_reused(e.id)
            return False
        self._project(e, key)
        self.snap.events[key] = payload
        self.event_rows.append(
            {
                "id": key,
                "type": e.type,
                "at": e.at,
                "seller_id": self._seller_id_of(e),
                "payload": payload,
                "received_at": self.now,
            }
        )
        return True

    # -- lookups (as ingest._market_of, ingest._seller_id_of) --------------------------------

    def _market_of(self, e: Event) -> str | None:
        if isinstance(e, ev.SellerRegistered):
            return e.marketplace
        seller_id = named(e, "seller")
        if seller_id is None and isinstance(order_id := named(e, "order"), str):
            o = self.snap.orders.get(order_id)
            seller_id = o.seller_id if o else None
        if seller_id is None and isinstance(conv_id := named(e, "conversation"), str):
            c = self.snap.convs.get(conv_id)
            seller_id = c.seller_id if c else None
        seller = self.snap.sellers.get(seller_id) if seller_id else None
        return seller.marketplace_id if seller else None

    def _unknown(self, e: Event) -> None:
        """Refuse an event about an unknown seller, order or conversation, and one about
        another marketplace's exactly the same way: a scoped operator learns nothing of other
        marketplaces. An event that names none of them (`case_closed`) is not refused."""
        if isinstance(e, ev.SellerRegistered):
            raise lines.out_of_scope(e.marketplace)  # the marketplace the caller itself named
        if isinstance(seller := named(e, "seller"), str):
            raise lines.unknown_seller(seller)
        if isinstance(order := named(e, "order"), str):
            raise lines.unknown_order(order)
        if isinstance(conv := named(e, "conversation"), str):
            raise lines.unknown_conversation(conv)

    def _seller_id_of(self, e: Event) -> str | None:
        sid = named(e, "seller")
        if isinstance(sid, str):
            return sid
        if isinstance(e, ev.MessageSent | ev.ReplyWaived):
            c = self.snap.convs.get(e.conversation)
            return c.seller_id if c else None
        order_id = named(e, "order")
        if isinstance(order_id, str):
            o = self.snap.orders.get(order_id)
            return o.seller_id if o else None
        return None

    def _seller(self, seller_id: str) -> SellerRec:
        seller = self.snap.sellers.get(seller_id)
        if seller is None:
            raise lines.unknown_seller(seller_id)
        return seller

    def _order(self, order_id: str) -> OrderRec:
        order = self.snap.orders.get(order_id)
        if order is None:
            raise lines.unknown_order(order_id)
        return order

    def _buyer(self, buyer_id: str, seller: SellerRec, at: datetime) -> BuyerRec:
        """The buyer, or a new one that `_keep` stores once the event has passed every check."""
        buyer = self.snap.buyers.get(buyer_id)
        if buyer is None:
            return BuyerRec(
                id=buyer_id,
                marketplace_id=seller.marketplace_id,
                name=buyer_id,
                language=None,
                created_at=at,
                new=True,
            )
        if buyer.marketplace_id != seller.marketplace_id:
            raise lines.buyer_elsewhere(buyer_id)
        return buyer

    def _keep(self, buyer: BuyerRec) -> None:
        self.snap.buyers.setdefault(buyer.id, buyer)

    def _message_id_free(self, mid: str) -> None:
        if (
            mid in self.snap.message_ids
            or mid in self.snap.message_event_ids
            or mid in self._created_messages
        ):
            raise lines.message_taken(mid)

    # -- the events (as ingest._project) ----------------------------------------------------

    def _project(self, e: Event, key: str) -> None:
        """Apply `e`, stored under `key` (its id scoped to its marketplace, `keys.event_key`)."""
        if isinstance(e, ev.SellerRegistered):
            self._register(e)
        elif isinstance(e, ev.QuestionOpened):
            self._question(e, key)
        elif isinstance(e, ev.MessageSent):
            conv = self.snap.convs.get(e.conversation)
            if conv is None:
                raise lines.unknown_conversation(e.conversation)
            seller = self._seller(conv.seller_id)
            self._message_id_free(key)
            self._add_message(conv, seller, key, e.author, e.body, e.is_automated, e.at)
        elif isinstance(e, ev.ReplyWaived):
            conv = self.snap.convs.get(e.conversation)
            if conv is None:
                raise lines.unknown_conversation(e.conversation)
            seller = self._seller(conv.seller_id)
            policy = checked_policy(self.snap.markets[seller.marketplace_id].preset, "type")
            if not policy.response.reply_waiver:
                raise Invalid(waiver_refusal(policy.name), "type")
            self._message_id_free(key)
            self._add_message(
                conv, seller, key, e.author, e.reason or "", True, e.at, stage=WAIVER_STAGE
            )
        elif isinstance(e, ev.OrderPlaced):
            seller = self._seller(e.seller)
            buyer = self._buyer(e.buyer, seller, e.at)
            if e.order in self.snap.orders:
                raise lines.order_taken(e.order)
            self._keep(buyer)
            order = self.snap.orders[e.order] = OrderRec(
                id=e.order,
                seller_id=seller.id,
                buyer_id=buyer.id,
                placed_at=e.at,
                ship_by=e.ship_by,
                category=e.category,
                amount=str(e.amount),
                currency=e.currency,
                new=True,
            )
            self._stage(order, "payment", key, e.at)
        elif isinstance(e, ev.OrderShipped):
            order = self._order(e.order)
            if order.shipped_at is None or e.at < order.shipped_at:  # the first shipment counts
                order.shipped_at, order.tracking, order.changed = e.at, (e.tracking or None), True
            self._stage(order, "shipped", key, e.at)
        elif isinstance(e, ev.CarrierScan):
            order = self._order(e.order)
            if order.scanned_at is None or e.at < order.scanned_at:
                order.scanned_at, order.changed = e.at, True
        elif isinstance(e, ev.OrderDelivered):
            order = self._order(e.order)
            order.delivered_at, order.changed = e.at, True
            self._stage(order, "delivered", key, e.at)
        elif isinstance(e, ev.OrderCancelled):
            order = self._order(e.order)
            if order.cancelled_at is None or e.at < order.cancelled_at:
                order.cancelled_at, order.changed = e.at, True
            self._stage(order, "problem", key, e.at, problem="cancelled")
        elif isinstance(e, ev.ShopClosed | ev.ShopReopened):
            seller = self._seller(e.seller)
            seller.closed, seller.changed = isinstance(e, ev.ShopClosed), True
            self._status(seller, StatusRec(e.id, e.at, e.type, None))
        elif isinstance(e, ev.PhoneHoursSet):
            seller = self._seller(e.seller)
            self._status(seller, StatusRec(e.id, e.at, e.type, canonical(e.hours)))
        elif isinstance(e, ev.CallAttempt):
            seller = self._seller(e.seller)
            call = CallRec(key, seller.id, e.at, e.answered, new=True)
            self._judge(seller, call)
            self.snap.calls[call.event_id] = call
        elif isinstance(e, ev.ReviewPosted):
            order = self._order(e.order)
            self.snap.reviews.append(ReviewRec(key, order.seller_id, order.id, e.at, e.rating))

    # -- evidence items (see `evidence`) ----------------------------------------------------

    def _status(self, seller: SellerRec, st: StatusRec) -> None:
        """A status event: the seller's calls at or after it are judged again."""
        statuses = self.snap.statuses.setdefault(seller.id, [])
        statuses.append(st)
        statuses.sort(key=status_order)
        for call in self.snap.calls.values():
            if call.seller_id == seller.id and call.at >= st.at:
                self._judge(seller, call)

    def _judge(self, seller: SellerRec, call: CallRec) -> None:
        preset = self.snap.markets[seller.marketplace_id].preset
        status = call_status(preset, seller.country, self.snap.statuses.get(seller.id, []), call.at)
        if (call.in_hours, call.shop_closed) != status:
            call.in_hours, call.shop_closed, call.changed = *status, True

    def _question_items(self, conv: ConvRec, msg: MessageRec, e: ev.QuestionOpened) -> None:
        assert msg.deadline is not None
        q = QuestionRec(
            conversation_id=conv.id,
            seller_id=conv.seller_id,
            message_id=msg.id,
            order_id=e.order,
            received_at=e.at,
            deadline=msg.deadline,
            new=True,
        )
        conv.question = q
        conv.turns = {}
        self._evidence(conv, msg)

    def _evidence(self, conv: ConvRec, msg: MessageRec) -> None:
        """The question's first reply and the turns, after `msg` joined the conversation."""
        q, turns = conv.question, conv.turns
        if q is None or turns is None:
            return
        if conv.partial:  # `msg` is later than every other message: only the open turn moves
            open_ = next(
                (x for x in turns.values() if x.replied_at is None and not x.deleted), None
            )
            if msg.author == "buyer" and open_ is None and msg.deadline is not None:
                turns[msg.id] = TurnRec(
                    msg.id, conv.id, conv.seller_id, msg.at, msg.deadline, new=True
                )
            elif answers(msg):
                if open_ is not None:
                    open_.replied_at, open_.replied_by, open_.changed = msg.at, msg.author, True
                if q.first_reply_at is None:
                    q.first_reply_at, q.first_reply_by, q.changed = msg.at, msg.author, True
            elif waives(msg) and q.first_reply_at is None:
                q.first_reply_at, q.first_reply_by, q.changed = msg.at, WAIVED, True
            return
        assert conv.messages is not None
        first = first_reply(q, conv.messages)
        first_at, first_by = first if first is not None else (None, None)
        if (q.first_reply_at, q.first_reply_by) != (first_at, first_by):
            q.first_reply_at, q.first_reply_by, q.changed = first_at, first_by, True
        now = turns_of(q, conv.messages)
        for tid, fresh in now.items():
            old = turns.get(tid)
            if old is None:
                fresh.new = True
                turns[tid] = fresh
                continue
            values = (fresh.received_at, fresh.deadline, fresh.replied_at, fresh.replied_by)
            if (
                old.deleted
                or (old.received_at, old.deadline, old.replied_at, old.replied_by) != values
            ):
                old.received_at, old.deadline, old.replied_at, old.replied_by = values
                old.deleted, old.changed = False, True
        for tid, old in turns.items():
            if tid not in now:
                old.deleted = True

    def _register(self, e: ev.SellerRegistered) -> None:
        market = self.snap.markets.get(e.marketplace)
        if market is None:
            policy = checked_policy(e.marketplace, "marketplace")
            market = MarketRec(
                id=e.marketplace,
                preset=e.marketplace,
                title=policy.title,
                created_at=e.at,
                new=True,
            )
        seller = self.snap.sellers.get(e.seller)
        if seller is None:
            proactive = checked_policy(market.preset, "marketplace").proactive_messages
            self.snap.markets.setdefault(market.id, market)
            self.snap.sellers[e.seller] = SellerRec(
                id=e.seller,
                marketplace_id=market.id,
                name=e.seller,
                country=e.country,
                linked_sellers=list(e.linked_sellers),
                registered_at=e.at,
                proactive_enabled=proactive,
                closed=False,
                new=True,
            )
        elif seller.marketplace_id != market.id:
            raise lines.seller_elsewhere(e.seller, seller.marketplace_id)
        else:
            moved = seller.country != e.country
            seller.country, seller.linked_sellers, seller.changed = (
                e.country,
                list(e.linked_sellers),
                True,
            )
            if moved:
                self._new_deadlines(seller, market.preset)

    def _new_deadlines(self, seller: SellerRec, preset: str) -> None:
        """A seller that moved country: its open questions and turns are due by the new
        country's calendar (answered ones keep the deadline they were judged by)."""
        for item in self.snap.open_items.get(seller.id, []):
            if isinstance(item, QuestionRec):
                still_open = item.first_reply_at is None
            else:
                still_open = item.replied_at is None and not item.deleted
            if not still_open:
                continue
            due = self._deadlines.get(preset, seller.country, item.received_at)
            if due != item.deadline:
                item.deadline, item.changed = due, True

    def _question(self, e: ev.QuestionOpened, key: str) -> None:
        seller = self._seller(e.seller)
        buyer = self._buyer(e.buyer, seller, e.at)
        if e.order is not None:
            o = self._order(e.order)
            if o.seller_id != seller.id or o.buyer_id != buyer.id:
                raise lines.order_not_between(e.order)
        if e.conversation in self.snap.convs:
            raise lines.conversation_taken(e.conversation)
        self._message_id_free(key)
        self._keep(buyer)
        conv = ConvRec(
            id=e.conversation,
            seller_id=seller.id,
            buyer_id=buyer.id,
            order_id=e.order,
            origin=e.origin,
            opened_at=e.at,
            last_message_at=e.at,
            subject=self._posting.subject if self._posting else None,
            messages=[],
        )
        self._new_conversation(conv)
        self._add_message(conv, seller, key, "buyer", e.body, False, e.at)
        self._question_items(conv, self.new_messages[-1], e)

    def _new_conversation(self, conv: ConvRec) -> None:
        self.snap.convs[conv.id] = conv
        if conv.order_id is not None:
            self.snap.convs_by_order[conv.order_id].append(conv)

    def _add_message(
        self,
        conv: ConvRec,
        seller: SellerRec,
        mid: str,
        author: str,
        body: str,
        automated: bool,
        at: datetime,
        stage: str | None = None,
    ) -> None:
        preset = self.snap.markets[seller.marketplace_id].preset
        deadline = self._deadlines.get(preset, seller.country, at) if author == "buyer" else None
        post = self._posting
        msg = MessageRec(
            id=post.message_id if post else mid,
            conversation_id=conv.id,
            author=author,
            body=body,
            automated=automated,
            at=at,
            deadline=deadline,
            event_id=mid,
            account_id=post.account_id if post else None,
            original_body=post.original_body if post else None,
            saved_reply_id=post.saved_reply_id if post else None,
            stage=stage,
            new=True,
        )
        self._created_messages.add(msg.id)
        self.new_messages.append(msg)
        assert conv.messages is not None  # loaded for every conversation a message_sent names
        conv.messages.append(msg)
        before = conv.turn()
        # every message, or (partial) the unanswered buyer messages of a thread all earlier
        # than the new ones: the stored answers and the stored first reply stand
        st = settle(conv.messages)
        for m in conv.messages:
            if m.id in st.answered_at:
                m.answered_at = st.answered_at[m.id]
        first_reply = conv.first_reply_before or st.first_reply_at
        conv.awaiting_since, conv.deadline, conv.first_reply_at = (
            st.awaiting_since,
            st.deadline,
            first_reply,
        )
        conv.last_message_at = max(conv.last_message_at, at)
        self._changed(conv, before)
        self._evidence(conv, msg)

    def _changed(self, conv: ConvRec, before: tuple[Any, ...]) -> None:
        if conv.turn() != before:
            conv.version += 1

    # -- proactive stage messages (as proactive.stage_message) --------------------------------

    def _stage(
        self, order: OrderRec, stage: str, event_id: str, at: datetime, problem: str | None = None
    ) -> None:
        mid = f"{event_id}:stage"
        if mid in self.snap.message_ids or mid in self._created_messages:
            return
        seller = self.snap.sellers[order.seller_id]
        if not seller.proactive_enabled:
            return
        preset = self.snap.markets[seller.marketplace_id].preset
        settings = settings_from(seller.proactive_enabled, self.snap.stages.get(seller.id, {}))
        text = stage_text(
            settings, stage, preset, seller, self.snap.buyers[order.buyer_id], order, problem
        )
        if text is None:
            return
        conv = self._conversation_for(order, at)
        if conv is None:
            return
        msg = MessageRec(
            id=mid,
            conversation_id=conv.id,
            author="system",
            body=text,
            automated=True,
            at=at,
            stage=stage,
            new=True,
        )
        self._created_messages.add(mid)
        self.new_messages.append(msg)
        if conv.messages is not None:
            conv.messages.append(msg)
        before = conv.turn()
        conv.last_message_at = max(conv.last_message_at, at)
        self._changed(conv, before)

    def _conversation_for(self, order: OrderRec, at: datetime) -> ConvRec | None:
        """The order's earliest conversation with its buyer, else a new one `order-{id}`;
        None when another order's or buyer's conversation holds that id (no stage message:
        the order event itself still counts)."""
        mine = [
            c for c in self.snap.convs_by_order.get(order.id, []) if c.buyer_id == order.buyer_id
        ]
        if mine:
            return min(mine, key=lambda c: c.opened_at)
        cid = f"order-{order.id}"
        if cid in self.snap.convs:
            return None
        conv = ConvRec(
            id=cid,
            seller_id=order.seller_id,
            buyer_id=order.buyer_id,
            order_id=order.id,
            origin="proactive",
            opened_at=at,
            last_message_at=at,
            messages=[],
        )
        self._new_conversation(conv)
        return conv

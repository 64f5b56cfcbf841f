"""Conversations (SPEC R2.1-R2.3, R4.6): a buyer asks, platform customer service forwards,
the seller or its staff answers (optionally from a saved reply), an agent answers after
takeover. Every buyer message gets its deadline from the clock on arrival."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.access.errors import Blocked, Conflict, Forbidden, Invalid, NotFound
from servicenorm.access.principal import (
    Principal,
    see_conversation,
    see_conversation_of,
    see_seller_public,
    work_seller,
    work_seller_of,
)
from servicenorm.events import EventError
from servicenorm.helpdesk import projection
from servicenorm.helpdesk.accounts import TOKEN_VALID_SQL, TokenRevoked
from servicenorm.helpdesk.directory import buyer_row, seller_row
from servicenorm.helpdesk.ingest_lines import parse_line
from servicenorm.helpdesk.moderation_gate import moderate_incoming, moderate_outgoing
from servicenorm.helpdesk.projection import Posting, state
from servicenorm.helpdesk.projection.records import MessageRec, ViolationRec
from servicenorm.helpdesk.roles import require
from servicenorm.helpdesk.template_values import buyer_language, template_values
from servicenorm.helpdesk.templates import render
from servicenorm.policy import Policy
from servicenorm.policy.stored import policy_for
from servicenorm.store import eventlog
from servicenorm.store.ids import new_id
from servicenorm.store.tables import (
    Buyer,
    Conversation,
    Marketplace,
    Message,
    Order,
    SavedReply,
    Seller,
    Violation,
)


@dataclass(frozen=True)
class Thread:
    conversation: Conversation
    seller: Seller
    messages: list[Message]


_PRESETS: dict[str, str] = {}  # marketplace -> preset; a marketplace never changes its preset


def _preset(s: Session, seller: Seller) -> str:
    preset = _PRESETS.get(seller.marketplace_id)
    if preset is None:
        m = s.get(Marketplace, seller.marketplace_id)
        assert m is not None  # foreign key
        preset = _PRESETS[seller.marketplace_id] = m.preset
    return preset


def _order_for(s: Session, order_id: str | None, seller: Seller, buyer: Buyer) -> Order | None:
    if order_id is None:
        return None
    order = s.get(Order, order_id)
    if order is None or order.seller_id != seller.id or order.buyer_id != buyer.id:
        raise Invalid(f"unknown order {order_id!r} for this seller and buyer", "order")
    return order


def scoped_id(p: Principal, buyer: Buyer, key: str) -> str:
    """The id of the conversation a caller names `key` (issue 11 item 8): scoped to the
    caller's tenant, a buyer's to that buyer and the platform's to the marketplace, so the same
    key from the same caller is the same conversation (a retry is a 409, not a second
    question), while the ids other tenants use, or a marketplace's import will use, are never
    touched: an answer never depends on whether another tenant has a conversation `key`."""
    owner = f"buyer:{buyer.id}" if p.role == "buyer" else "platform"
    digest = hashlib.sha256(f"{buyer.marketplace_id}\n{owner}\n{key}".encode()).hexdigest()
    return f"c-{digest[:40]}"


def open_question(
    s: Session,
    p: Principal,
    *,
    seller_id: str,
    body: str,
    now: datetime,
    buyer_id: str | None = None,
    order_id: str | None = None,
    subject: str | None = None,
    conversation_id: str | None = None,
) -> Thread:
    """A buyer asks (origin `buyer`), or the platform forwards a question (`platform_forward`,
    R2.2: the seller's clock starts now, at forwarding)."""
    if p.role == "buyer":
        if buyer_id is not None and buyer_id != p.buyer_id:
            raise Invalid("a buyer asks for itself; leave out 'buyer'", "buyer")
        assert p.buyer_id is not None
        buyer, origin = buyer_row(s, p.buyer_id), "buyer"
    elif p.is_platform:
        if buyer_id is None:
            raise Invalid("forwarding a question needs the buyer who asked it", "buyer")
        found, origin = s.get(Buyer, buyer_id), "platform_forward"
        if found is None or not p.in_marketplace(found.marketplace_id):
            raise Invalid(f"unknown buyer {buyer_id!r}", "buyer")
        buyer = found
    else:
        raise Forbidden("sellers and staff answer questions; buyers and customer service open them")
    seller = s.get(Seller, seller_id)
    if seller is None or seller.marketplace_id != buyer.marketplace_id:
        raise Invalid(f"unknown seller {seller_id!r}", "seller")
    see_seller_public(p, seller, buyer)
    order = _order_for(s, order_id, seller, buyer)
    cid = new_id() if conversation_id is None else scoped_id(p, buyer, conversation_id)
    if s.get(Conversation, cid) is not None:  # only ever the caller's own: a retry
        raise Conflict(f"conversation {cid!r} exists already", "id")
    out = moderated("buyer", body, _preset(s, seller), seller.country)  # the buyer's words
    fields: dict[str, Any] = {
        "conversation": cid,
        "seller": seller.id,
        "buyer": buyer.id,
        "order": order.id if order else None,
        "origin": origin,
        "body": out.text,
    }
    mid = new_id()
    _project(
        s,
        p,
        f"api-{cid}",
        "question_opened",
        now,
        fields,
        Posting(
            mid,
            p.account_id,
            out.original,
            subject=subject,
            violation=_violation(mid, cid, seller.id, out, now),
        ),
    )
    conv = s.get(Conversation, cid)
    msg = s.get(Message, mid)
    assert conv is not None and msg is not None
    return Thread(conv, seller, [msg])


def _project(
    s: Session,
    p: Principal,
    event_id: str,
    type: str,
    now: datetime,
    fields: dict[str, Any],
    posting: Posting,
    heads: state.Prefetched | None = None,
) -> MessageRec:
    """The API's question or message as an event, through the one projector and writer
    (`heads`: what was read of its conversation already in this transaction)."""
    try:
        e, payload = parse_line(eventlog.payload(event_id, type, now, fields))
    except EventError as err:
        raise Invalid(err.reason, err.field) from None
    return projection.post(s, p, e, payload, posting, now, heads)


def _visible(s: Session, p: Principal, conversation_id: str) -> tuple[Conversation, Seller]:
    row = s.execute(
        select(Conversation, Seller)
        .join(Seller, Seller.id == Conversation.seller_id)
        .where(Conversation.id == conversation_id)
    ).first()
    if row is None:
        raise NotFound(f"conversation {conversation_id!r} not found")
    conv, seller = row
    see_conversation(p, conv, seller)
    return conv, seller


@dataclass(frozen=True)
class _Head:
    """What a message post needs of its conversation, seller and marketplace, and the rows
    it was read from (the projector's state takes them instead of reading them again)."""

    id: str
    buyer_id: str
    seller_id: str
    taken_over: bool
    marketplace_id: str
    country: str
    preset: str
    read: state.Prefetched


def _post_head(
    s: Session, p: Principal, conversation_id: str, token_hash: str | None = None
) -> _Head:
    """`_visible` for a message post: one query on the connection, no ORM objects; with
    `token_hash`, the same statement checks that the caller's token is still valid (raises
    `TokenRevoked`)."""
    s.flush()
    if token_hash is None:
        valid, read = state.read_post(s.connection(), conversation_id)
    else:
        valid, read = state.read_post(
            s.connection(), conversation_id, TOKEN_VALID_SQL, (token_hash,)
        )
    if not valid:
        raise TokenRevoked
    if read is None:
        raise NotFound(f"conversation {conversation_id!r} not found")
    h = dict(zip(state.HEAD_NAMES, read.rows[0], strict=True))
    cid, buyer_id, seller_id = h["c.id"], h["c.buyer_id"], h["c.seller_id"]
    market = h["s.marketplace_id"]
    see_conversation_of(p, cid, buyer_id, seller_id, market)
    return _Head(
        cid,
        buyer_id,
        seller_id,
        h["c.taken_over_at"] is not None,
        market,
        h["s.country"],
        h["m.preset"],
        read,
    )


def messages_of(s: Session, conversation_id: str) -> list[Message]:
    return list(
        s.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.at, Message.id)
        )
    )


def get_thread(s: Session, p: Principal, conversation_id: str) -> Thread:
    conv, seller = _visible(s, p, conversation_id)
    return Thread(conv, seller, messages_of(s, conv.id))


def author_of(p: Principal, taken_over: bool) -> str:
    """Who a message of `p` is from, given whether the platform took the conversation over."""
    if p.role == "buyer":
        return "buyer"
    if p.role in ("seller", "staff"):
        if taken_over:
            raise Conflict(
                "the platform has taken this conversation over; its agent answers now",
                "conversation",
            )
        return p.role
    if p.role == "agent":
        if not taken_over:
            raise Conflict(
                "take the conversation over before answering as an agent", "conversation"
            )
        return "agent"
    raise Forbidden("operators do not post messages; an agent takes the conversation over")


@dataclass(frozen=True)
class Outgoing:
    """A message's text after the message policy: what the buyer sees, the original when masked."""

    text: str
    original: str | None = None
    violations: list[dict[str, object]] = field(default_factory=list)
    action: str = "deliver"


def moderated(author: str, text: str, preset: str, country: str) -> Outgoing:
    """Every message passes the marketplace's message policy: a seller's, staff member's or
    agent's may be blocked, masked or recorded; a buyer's contact details are masked or only
    recorded, as the policy's `buyer_contact` says."""
    if author == "buyer":
        incoming = moderate_incoming(text, policy_for(preset), country)
        original = text if incoming.action == "mask" else None
        return Outgoing(incoming.text, original, incoming.violations, incoming.action)
    verdict = moderate_outgoing(text, policy_for(preset), country)
    if verdict.action == "block":
        raise Blocked(
            "the message breaks the marketplace's message policy and was not sent",
            verdict.violations,
        )
    if verdict.action == "mask":
        return Outgoing(verdict.text, text, verdict.violations, verdict.action)
    return Outgoing(text, None, verdict.violations, verdict.action)


def _violation(
    mid: str, conversation_id: str, seller_id: str, out: Outgoing, now: datetime
) -> ViolationRec | None:
    """The message policy's findings on message `mid`, to record with it (None: none)."""
    if not out.violations:
        return None
    return ViolationRec(
        id=new_id(),
        message_id=mid,
        conversation_id=conversation_id,
        seller_id=seller_id,
        action="mask" if out.action == "mask" else "record",
        detail=out.violations,
        at=now,
    )


def _saved_reply_text(
    s: Session, conv: Conversation, seller: Seller, reply_id: str, variables: dict[str, str]
) -> str:
    reply = s.get(SavedReply, reply_id)
    if reply is None or reply.seller_id != seller.id:
        raise Invalid(f"unknown saved reply {reply_id!r}", "saved_reply")
    buyer = buyer_row(s, conv.buyer_id)
    order = s.get(Order, conv.order_id) if conv.order_id else None
    policy = policy_for(_preset(s, seller))
    lang = buyer_language(buyer, seller, policy.moderation.languages)
    values = template_values(seller, buyer, order, lang, policy.zone)
    values.update({k: v for k, v in variables.items() if v})
    return render(reply.body, values)


def message_text(body: str | None) -> str:
    if body is None:
        raise Invalid("give a body or a saved_reply", "body")
    if not body.strip():
        raise Invalid("the message is empty", "body")
    return body


def post_message(
    s: Session,
    p: Principal,
    conversation_id: str,
    *,
    now: datetime,
    body: str | None = None,
    saved_reply_id: str | None = None,
    variables: dict[str, str] | None = None,
    token_hash: str | None = None,
) -> MessageRec:
    """Post a message as `p` through the one projector (the same rules as an ingested
    `message_sent`: a buyer message starts a turn's deadline, a reply answers every earlier
    buyer message); the message policy first, its findings recorded with the message.
    `token_hash`: the token `p` was taken from a cache by, checked still valid with the
    conversation's first read (raises `TokenRevoked`, before anything else)."""
    conv = _post_head(s, p, conversation_id, token_hash)
    author = author_of(p, conv.taken_over)
    if author in ("seller", "staff"):
        work_seller_of(p, conv.seller_id, conv.marketplace_id)
    if saved_reply_id is not None:
        if author not in ("seller", "staff"):
            raise Invalid("saved replies are the seller's", "saved_reply")
        if body is not None:
            text = body
        else:
            rows = _visible(s, p, conversation_id)
            text = _saved_reply_text(s, *rows, saved_reply_id, variables or {})
    else:
        text = message_text(body)
    if not text.strip():
        raise Invalid("the message is empty", "body")
    out = moderated(author, text, conv.preset, conv.country)
    mid = new_id()
    violation = _violation(mid, conv.id, conv.seller_id, out, now)
    return _project(
        s,
        p,
        f"api-{mid}",
        "message_sent",
        now,
        {"conversation": conv.id, "author": author, "body": out.text, "automated": False},
        Posting(mid, p.account_id, out.original, saved_reply_id, violation=violation),
        conv.read,
    )


class PlatformTakeover(Protocol):
    """Records a takeover where the marketplace's policy has `[takeover]` (enforcement's queue,
    the seller told, the cost charged when resolved); the composition above both packages passes
    `enforce.takeover.record_conversation_takeover`."""

    def __call__(
        self,
        s: Session,
        policy: Policy,
        p: Principal,
        conversation_id: str,
        *,
        trigger: str | None,
        note: str,
        now: datetime,
    ) -> object: ...


def take_over(
    s: Session,
    p: Principal,
    conversation_id: str,
    now: datetime,
    *,
    record: PlatformTakeover,
    trigger: str | None = None,
    note: str = "",
) -> Conversation:
    """R4.6: the platform takes the conversation over; from now on its agent answers.

    Where the marketplace's policy takes conversations over (`[takeover]`), `record` files it
    in enforcement's takeover queue for `trigger`. Elsewhere only the conversation changes
    hands."""
    conv, seller = _visible(s, p, conversation_id)
    require(p, "take a conversation over")
    if conv.taken_over_at is not None:
        raise Conflict("the conversation was taken over already", "conversation")
    policy = policy_for(_preset(s, seller))
    if policy.takeover is None:
        if trigger is not None:
            raise Invalid(
                f"the marketplace's policy {policy.name} has no takeovers to record; "
                "leave out 'trigger'",
                "trigger",
            )
        conv.taken_over_at, conv.taken_over_by = now, p.account_id
        return conv
    record(s, policy, p, conv.id, trigger=trigger, note=note, now=now)
    s.refresh(conv)  # moved by compare-and-set statements
    return conv


def list_conversations(
    s: Session,
    p: Principal,
    *,
    seller_id: str | None,
    buyer_id: str | None,
    waiting: bool | None,
    limit: int,
    offset: int,
) -> list[Conversation]:
    q = select(Conversation)
    if p.role == "buyer":
        if buyer_id not in (None, p.buyer_id):
            raise NotFound(f"buyer {buyer_id!r} not found")
        q = q.where(Conversation.buyer_id == p.buyer_id)
        if seller_id is not None:
            q = q.where(Conversation.seller_id == seller_id)
    elif p.role in ("seller", "staff"):
        if seller_id not in (None, p.seller_id):
            raise NotFound(f"seller {seller_id!r} not found")
        q = q.where(Conversation.seller_id == p.seller_id)
        if buyer_id is not None:
            q = q.where(Conversation.buyer_id == buyer_id)
    else:
        if seller_id is not None:
            work_seller(p, seller_row(s, seller_id))
            q = q.where(Conversation.seller_id == seller_id)
        if buyer_id is not None:
            b = buyer_row(s, buyer_id)
            if not p.in_marketplace(b.marketplace_id):
                raise NotFound(f"buyer {buyer_id!r} not found")
            q = q.where(Conversation.buyer_id == buyer_id)
        if p.marketplace_id is not None:
            q = q.join(Seller, Seller.id == Conversation.seller_id).where(
                Seller.marketplace_id == p.marketplace_id
            )
    if waiting is True:
        q = q.where(Conversation.deadline.isnot(None))
    elif waiting is False:
        q = q.where(Conversation.deadline.is_(None))
    q = q.order_by(Conversation.last_message_at.desc(), Conversation.id).limit(limit).offset(offset)
    return list(s.scalars(q))


def violations_of(s: Session, conversation_id: str) -> list[Violation]:
    return list(
        s.scalars(
            select(Violation)
            .where(Violation.conversation_id == conversation_id)
            .order_by(Violation.at)
        )
    )

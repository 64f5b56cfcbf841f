"""The seller's queue as a page shows it: the helpdesk queue (deadlines, working time left,
state) plus what the reader needs to act: the question, the buyer, and the clock's state.

The countdown in the browser only extrapolates: the server states the working time left at
`now`, whether the clock is running, and the instant that changes (the next closing or
opening of the calendar). Until then working time passes one second per second, or not at
all; at that instant the page asks the server again. No working-time rule lives in the JS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from servicenorm.access.principal import Principal, work_seller
from servicenorm.clock import Calendar, from_us, to_us
from servicenorm.helpdesk.queue import QueueItem, classify
from servicenorm.helpdesk.reply_deadlines import response_clock
from servicenorm.policy.stored import policy_for
from servicenorm.store.tables import Buyer, Conversation, Marketplace, Message, Seller

QueueOrder = Literal["overdue", "savable"]
ORDERS: tuple[QueueOrder, ...] = ("overdue", "savable")
QueueShow = Literal["all", "overdue", "due_today", "taken_over", "waiting_buyer"]
SHOWS: tuple[QueueShow, ...] = ("all", "overdue", "due_today", "taken_over", "waiting_buyer")
PER_PAGE = 25


@dataclass(frozen=True)
class ClockState:
    running: bool
    change_at: datetime  # the next closing (running) or opening (paused)


@dataclass(frozen=True)
class QueueRow:
    item: QueueItem
    question: str
    buyer: str

    @property
    def id(self) -> str:
        return self.item.conversation.id

    @property
    def left_s(self) -> int:
        return int(self.item.working_left.total_seconds())

    @property
    def over_s(self) -> int:
        return int(self.item.overdue_by.total_seconds())


def clock_state(cal: Calendar, now: datetime) -> ClockState:
    """Whether working time passes at `now`, and until when that holds (from the kernel's
    open intervals)."""
    t = to_us(now)
    sp = cal.span(t, t + 14 * 86_400_000_000)
    i = int(np.searchsorted(sp.starts, t, side="right")) - 1
    if i >= 0 and t < int(sp.ends[i]):
        return ClockState(True, from_us(int(sp.ends[i]), cal.zone))
    return ClockState(
        False, from_us(int(cal.next_open_us(np.array([t], dtype=np.int64))[0]), cal.zone)
    )


@dataclass(frozen=True)
class WaitingRow:
    """A conversation the seller answered, open, waiting for the buyer's next message."""

    conversation: Conversation
    buyer: str
    last: str  # the seller's last message


@dataclass(frozen=True)
class QueueView:
    """One page of a seller's open questions (or, with show=waiting_buyer, of the answered
    conversations waiting for the buyer), and the true counts behind it."""

    rows: list[QueueRow]
    total: int  # every open question of the seller
    overdue: int  # of which past their deadline
    matching: int  # the ones the search and filter keep
    page: int
    pages: int
    per_page: int
    order: QueueOrder
    show: QueueShow
    search: str
    calendar: Calendar
    counts: dict[str, int]  # per choice of `show`, before the search
    waiting: list[WaitingRow]

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    def params(self, **changes: Any) -> dict[str, str]:
        """The query of this view (with `changes`), defaults left out."""
        out: dict[str, Any] = {
            "order": self.order,
            "show": self.show,
            "q": self.search,
            "page": self.page,
        }
        out |= changes
        defaults = {"order": "overdue", "show": "all", "q": "", "page": 1}
        return {k: str(v) for k, v in out.items() if v != defaults[k]}


# answered at least once, nothing pending, not closed: the next word is the buyer's
WAITING_BUYER = (
    Conversation.deadline.is_(None),
    Conversation.closed_at.is_(None),
    Conversation.first_reply_at.isnot(None),
)


def _day_end(now: datetime, zone: ZoneInfo) -> datetime:
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, datetime.min.time(), zone)


def _filters(
    seller: Seller, now: datetime, zone: ZoneInfo, show: QueueShow, search: str
) -> list[ColumnElement[bool]]:
    c = Conversation
    where: list[ColumnElement[bool]] = [c.seller_id == seller.id, c.deadline.isnot(None)]
    if show == "waiting_buyer":
        where = [c.seller_id == seller.id, *WAITING_BUYER]
    elif show == "overdue":
        where.append(c.deadline < now)
    elif show == "due_today":
        where += [c.deadline >= now, c.deadline < _day_end(now, zone)]
    elif show == "taken_over":
        where.append(c.taken_over_at.isnot(None))
    text = search.strip()
    if text:
        pattern = f"%{text.replace('%', '').replace('_', '')}%"
        buyers = select(Buyer.id).where(func.lower(Buyer.name).like(pattern.lower()))
        bodies = select(Message.conversation_id).where(
            Message.conversation_id == c.id, func.lower(Message.body).like(pattern.lower())
        )
        where.append(
            or_(
                func.lower(c.id).like(pattern.lower()),
                func.lower(c.order_id).like(pattern.lower()),
                func.lower(c.subject).like(pattern.lower()),
                c.buyer_id.in_(buyers),
                bodies.exists(),
            )
        )
    return where


@dataclass(frozen=True)
class QueueSummary:
    """What the performance page says of the queue: the open questions, how many are past
    their deadline, and the soonest deadline that can still be met."""

    total: int
    overdue: int
    upcoming: QueueItem | None


def queue_summary(s: Session, p: Principal, seller: Seller, now: datetime) -> QueueSummary:
    """Two statements on the seller's open-question index: the counts, and the first
    conversation of the "savable" order that is not overdue."""
    work_seller(p, seller)
    c = Conversation
    base = [c.seller_id == seller.id, c.deadline.isnot(None)]
    total, late = s.execute(
        select(func.count(), func.count(case((c.deadline < now, 1)))).where(*base)
    ).one()
    soonest = s.scalars(
        select(c).where(*base, c.deadline >= now).order_by(c.deadline, c.id).limit(1)
    ).first()
    upcoming = None
    if soonest is not None and soonest.deadline is not None:
        market = s.get(Marketplace, seller.marketplace_id)
        assert market is not None  # foreign key
        cal, allowance = response_clock(market.preset, seller.country)
        ((left, over, state),) = classify([soonest.deadline], now, cal, allowance)
        upcoming = QueueItem(soonest, soonest.deadline, left, over, state)
    return QueueSummary(int(total), int(late), upcoming)


def queue_view(
    s: Session,
    p: Principal,
    seller: Seller,
    now: datetime,
    *,
    order: str = "overdue",
    show: str = "all",
    search: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> QueueView:
    """A page of the seller's open questions in the chosen order: "overdue" (most overdue
    first, then by deadline) or "savable" (the ones that can still be answered in time first,
    soonest deadline first, then the overdue ones). Unknown choices fall back to the default."""
    work_seller(p, seller)
    market = s.get(Marketplace, seller.marketplace_id)
    assert market is not None
    cal, allowance = response_clock(market.preset, seller.country)
    zone = ZoneInfo(policy_for(market.preset).zone)
    o: QueueOrder = "savable" if order == "savable" else "overdue"
    sh: QueueShow = next((x for x in SHOWS if x == show), "all")
    c = Conversation
    base = [c.seller_id == seller.id, c.deadline.isnot(None)]
    end = _day_end(now, zone)
    total, late, today, taken = s.execute(
        select(
            func.count(),
            func.count(case((c.deadline < now, 1))),
            func.count(case(((c.deadline >= now) & (c.deadline < end), 1))),
            func.count(case((c.taken_over_at.isnot(None), 1))),
        ).where(*base)
    ).one()
    waiting_total = int(
        s.scalar(
            select(func.count()).select_from(c).where(c.seller_id == seller.id, *WAITING_BUYER)
        )
        or 0
    )
    counts = {
        "all": int(total),
        "overdue": int(late),
        "due_today": int(today),
        "taken_over": int(taken),
        "waiting_buyer": waiting_total,
    }
    where = _filters(seller, now, zone, sh, search)
    matching = int(s.scalar(select(func.count()).select_from(c).where(*where)) or 0)
    pages = max(1, -(-matching // per_page))
    page = min(max(1, page), pages)
    if sh == "waiting_buyer":
        answered = list(
            s.scalars(
                select(c)
                .where(*where)
                .order_by(c.last_message_at.desc(), c.id)
                .offset((page - 1) * per_page)
                .limit(per_page)
            )
        )
        return QueueView(
            [],
            int(total),
            int(late),
            matching,
            page,
            pages,
            per_page,
            o,
            sh,
            search.strip(),
            cal,
            counts,
            _waiting(s, answered),
        )
    keys: Sequence[Any] = (
        (c.deadline, c.id)
        if o == "overdue"
        else (case((c.deadline < now, 1), else_=0), c.deadline, c.id)
    )
    convs = list(
        s.scalars(
            select(c).where(*where).order_by(*keys).offset((page - 1) * per_page).limit(per_page)
        )
    )
    deadlines = [x.deadline for x in convs if x.deadline is not None]
    items = [
        QueueItem(x, dl, left, over, st)
        for x, dl, (left, over, st) in zip(
            convs, deadlines, classify(deadlines, now, cal, allowance), strict=True
        )
    ]
    return QueueView(
        _rows(s, items),
        int(total),
        int(late),
        matching,
        page,
        pages,
        per_page,
        o,
        sh,
        search.strip(),
        cal,
        counts,
        [],
    )


def _buyers(s: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return {b.id: b.name for b in s.scalars(select(Buyer).where(Buyer.id.in_(ids)))}


def _waiting(s: Session, convs: list[Conversation]) -> list[WaitingRow]:
    """Each answered conversation with the seller's last message (what the buyer has read)."""
    last: dict[str, str] = {}
    if convs:
        for m in s.scalars(
            select(Message)
            .where(
                Message.conversation_id.in_([x.id for x in convs]),
                Message.author.in_(("seller", "staff", "agent")),
            )
            .order_by(Message.at.desc(), Message.id)
        ):
            last.setdefault(m.conversation_id, m.body)
    names = _buyers(s, {x.buyer_id for x in convs})
    return [WaitingRow(x, names.get(x.buyer_id, x.buyer_id), last.get(x.id, "")) for x in convs]


def _rows(s: Session, items: list[QueueItem]) -> list[QueueRow]:
    ids = [i.conversation.id for i in items]
    waiting: dict[str, Message] = {}
    if ids:
        for m in s.scalars(
            select(Message)
            .where(
                Message.conversation_id.in_(ids),
                Message.author == "buyer",
                Message.answered_at.is_(None),
            )
            .order_by(Message.at, Message.id)
        ):
            waiting.setdefault(m.conversation_id, m)
    buyers = (
        {
            b.id: b.name
            for b in s.scalars(
                select(Buyer).where(Buyer.id.in_({i.conversation.buyer_id for i in items}))
            )
        }
        if items
        else {}
    )
    rows = [
        QueueRow(
            i,
            waiting[i.conversation.id].body if i.conversation.id in waiting else "",
            buyers.get(i.conversation.buyer_id, i.conversation.buyer_id),
        )
        for i in items
    ]
    return rows

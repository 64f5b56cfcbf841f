"""The seller's queue as a page shows it: the helpdesk queue (deadlines, working time left,
state) plus what the reader needs to act: the question, the buyer, and the clock's state.

The countdown in the browser only extrapolates: the server states the working time left at
`now`, whether the clock is running, and the instant that changes (the next closing or
opening of the calendar). Until then working time passes one second per second, or not at
all; at that instant the page asks the server again. No working-time rule lives in the JS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.clock import Calendar, from_us, to_us
from servicenorm.helpdesk.policies import response_clock
from servicenorm.helpdesk.principal import Principal
from servicenorm.helpdesk.queue import QueueItem, seller_queue
from servicenorm.store.tables import Buyer, Marketplace, Message, Seller


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


def queue_rows(
    s: Session, p: Principal, seller: Seller, now: datetime
) -> tuple[list[QueueRow], Calendar]:
    items = seller_queue(s, p, seller.id, now)  # checks that `p` may work this seller's desk
    # overdue on top (most overdue first), then by deadline: the helpdesk order already is that
    market = s.get(Marketplace, seller.marketplace_id)
    assert market is not None
    cal, _allowance = response_clock(market.preset, seller.country)
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
    return rows, cal

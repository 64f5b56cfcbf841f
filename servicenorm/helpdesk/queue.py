"""The seller's queue (docs/helpdesk.md) and the breach scan.

Both read the stored, indexed deadline; the queue adds the working time left, computed at
request time for the given `now` in one vectorised call to the clock kernel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.access.principal import Principal, work_seller
from servicenorm.clock import Calendar, to_us
from servicenorm.helpdesk.directory import seller_row
from servicenorm.helpdesk.reply_deadlines import response_clock
from servicenorm.store.tables import Conversation, Marketplace

State = Literal["ok", "due_soon", "overdue"]

# "due soon" once a quarter or less of the allowance is left (2 of 8 working hours at bol)
DUE_SOON_SHARE = 0.25


@dataclass(frozen=True)
class QueueItem:
    conversation: Conversation
    deadline: datetime
    working_left: timedelta  # working time from now to the deadline (0 once it passed)
    overdue_by: timedelta  # working time from the deadline to now (0 while not overdue)
    state: State


def classify(
    deadlines: Sequence[datetime], now: datetime, calendar: Calendar, allowance: timedelta
) -> list[tuple[timedelta, timedelta, State]]:
    """Working time left / overdue and the state of each deadline at `now` (pure).

    A reply exactly at the deadline is on time, so a deadline equal to `now` is due soon,
    not overdue."""
    if not deadlines:
        return []
    d = np.array([to_us(t) for t in deadlines], dtype=np.int64)
    n = np.full(d.shape, to_us(now), dtype=np.int64)
    left = np.maximum(calendar.working_us(n, d), 0)
    over = np.maximum(calendar.working_us(d, n), 0)
    soon_us = int(allowance.total_seconds() * 1_000_000 * DUE_SOON_SHARE)
    out: list[tuple[timedelta, timedelta, State]] = []
    for i in range(len(deadlines)):
        state: State
        if int(d[i]) < int(n[i]):
            state = "overdue"
        elif int(left[i]) <= soon_us:
            state = "due_soon"
        else:
            state = "ok"
        out.append(
            (timedelta(microseconds=int(left[i])), timedelta(microseconds=int(over[i])), state)
        )
    return out


def seller_queue(
    s: Session, p: Principal, seller_id: str, now: datetime, limit: int = 100
) -> list[QueueItem]:
    seller = seller_row(s, seller_id)
    work_seller(p, seller)
    market = s.get(Marketplace, seller.marketplace_id)
    assert market is not None
    calendar, allowance = response_clock(market.preset, seller.country)
    convs = list(
        s.scalars(
            select(Conversation)
            .where(Conversation.seller_id == seller.id, Conversation.deadline.isnot(None))
            .order_by(Conversation.deadline, Conversation.id)
            .limit(limit)
        )
    )
    deadlines = [c.deadline for c in convs if c.deadline is not None]
    return [
        QueueItem(c, dl, left, over, st)
        for c, dl, (left, over, st) in zip(
            convs, deadlines, classify(deadlines, now, calendar, allowance), strict=True
        )
    ]


def overdue(s: Session, now: datetime, limit: int = 1000) -> list[Conversation]:
    """The breach scan: conversations whose waiting turn passed its deadline, oldest first.
    One range scan over the partial index on `deadline`."""
    return list(
        s.scalars(
            select(Conversation)
            .where(Conversation.deadline < now)
            .order_by(Conversation.deadline)
            .limit(limit)
        )
    )

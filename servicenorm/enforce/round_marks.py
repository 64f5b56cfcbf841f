"""Where the last enforcement round left off, and what changed since (issue 10 item 5).

Each marketplace keeps one watermark: the as-of of its last round and the ingest instant up to
which that round saw the event log (the greatest `events.received_at` then; the server stamps
every event it accepts, and one request's events are committed together). The next round reads,
by index, the sellers it concerns:

* sellers with new events: an event received after the watermark (`ix_events_received_at`),
  looking a minute further back (`unseen_after`): a request stamps its events when it
  receives them and commits them a moment later, so a round can read the log between the two
  and see a newer stamp than theirs;
* sellers with an item whose deadline is in [last as-of, now] while it is still open: an
  unanswered question or buyer turn, an order neither shipped nor cancelled by its ship-by
  (the partial indexes on open items' deadlines). A deadline exactly at the last as-of was
  still pending then (a reply at the deadline is on time), so it is looked at again.

Nothing else changes a seller's figures between two rounds. A scheduled evaluation still reads
every seller's figures of its window (a window that moves drops old items, and the question-rate
norm is the marketplace's), but hands only the sellers with a finding or a ladder state to the
state machine (`live_period`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicenorm.enforce.enforce_tables import RoundMark
from servicenorm.store.events import EventRow
from servicenorm.store.items import QuestionItem, TurnItem
from servicenorm.store.keylists import parts
from servicenorm.store.once import insert_once
from servicenorm.store.orders import Order
from servicenorm.store.tenancy import Seller

# how long a request may hold events it stamped before it commits them
SLACK = timedelta(minutes=1)


def unseen_after(received: datetime | None, as_of: datetime) -> datetime | None:
    """Events received after this instant may be unseen by a check at `as_of` that saw the
    log up to `received` (its newest stamp): those after that stamp, and those stamped up to
    SLACK before the check. A stamp after the check (a server whose clock runs ahead) does
    not count as seen: taken as the watermark, it would hide every event stamped before it."""
    if received is None:
        return None
    return min(received, as_of - SLACK)


@dataclass(frozen=True)
class Scope:
    """What changed for a marketplace since its last round."""

    since: datetime | None  # the last round's as-of (None: the first round)
    received: datetime | None  # the log's newest ingest instant now
    new_events: frozenset[str] = field(default_factory=frozenset)
    deadlines: frozenset[str] = field(default_factory=frozenset)

    @property
    def sellers(self) -> frozenset[str]:
        return self.new_events | self.deadlines


def mark_of(s: Session, market: str) -> RoundMark | None:
    return s.get(RoundMark, market)


def newest_received(s: Session) -> datetime | None:
    """The log's newest ingest instant: what a check that reads now has seen."""
    got: datetime | None = s.scalar(select(func.max(EventRow.received_at)))
    return got


def scope(s: Session, market: str, now: datetime) -> Scope:
    """The sellers of `market` with events received since its watermark, or an open item whose
    deadline is in [last as-of, now]. Without a watermark (the first round) every seller
    of the marketplace is new."""
    mark = mark_of(s, market)
    newest = newest_received(s)
    if mark is None:
        sellers = select(Seller.id).where(Seller.marketplace_id == market)
        return Scope(None, newest, frozenset(s.scalars(sellers)))
    after = unseen_after(mark.received, mark.as_of)
    events = newest is not None and (after is None or newest > after)
    new, due = changed(s, market, after, mark.as_of, now, events=events)
    return Scope(mark.as_of, newest, new, due)


def changed(
    s: Session,
    market: str,
    received_after: datetime | None,
    lo: datetime,
    hi: datetime,
    *,
    events: bool = True,
) -> tuple[frozenset[str], frozenset[str]]:
    """(the sellers of `market` with an event received after `received_after` (any, when
    None), those with an item still open whose deadline is in [lo, hi]), read by index: what
    changes a seller's figures between two instants (the rounds' scope; the overview's stored
    standings, web/pages/standings.py)."""
    new: set[str] = set()
    if events:
        q = select(EventRow.seller_id)
        if received_after is None:
            q = q.distinct()
        else:
            # no DISTINCT: with it SQLite scans the seller index over the whole log instead
            # of reading the few rows after the watermark by the received_at index
            q = q.where(EventRow.received_at > received_after)
        new = {x for x in s.scalars(q) if x is not None}
    due: set[str] = set()
    if hi >= lo:
        for q in (
            select(QuestionItem.seller_id).where(
                QuestionItem.first_reply_at.is_(None),
                QuestionItem.deadline >= lo,
                QuestionItem.deadline <= hi,
            ),
            select(TurnItem.seller_id).where(
                TurnItem.replied_at.is_(None), TurnItem.deadline >= lo, TurnItem.deadline <= hi
            ),
            select(Order.seller_id).where(
                Order.shipped_at.is_(None),
                Order.cancelled_at.is_(None),
                Order.ship_by >= lo,
                Order.ship_by <= hi,
            ),
        ):
            due.update(s.scalars(q.distinct()))
    return _of_market(s, market, new), _of_market(s, market, due)


def _of_market(s: Session, market: str, sellers: set[str]) -> frozenset[str]:
    """The sellers of `market` among `sellers`. The changes are read first by their instant's
    index and the marketplace's sellers picked after: asked in one query with the
    marketplace's sellers as a subquery, SQLite chose the seller index and read every event
    of every seller (400 ms for 100 sellers' 200,000 events, against well under 1 ms)."""
    out: set[str] = set()
    for part in parts(sorted(sellers)):
        q = select(Seller.id).where(Seller.marketplace_id == market, Seller.id.in_(part))
        out.update(s.scalars(q))
    return frozenset(out)


def advance(s: Session, market: str, now: datetime, seen: Scope) -> None:
    """Store the round's watermark: its as-of and the log's newest ingest instant it read.
    A round never moves the watermark back (an older `now`, a second server behind)."""
    mark = mark_of(s, market)
    if mark is None:
        mark = RoundMark(marketplace=market, as_of=now, received=seen.received, rounds=0)
        if not insert_once(s, mark):
            mark = mark_of(s, market)
            assert mark is not None
    if now >= mark.as_of:
        mark.as_of = now
    if seen.received is not None and (mark.received is None or seen.received > mark.received):
        mark.received = seen.received
    mark.rounds = (mark.rounds or 0) + 1
    mark.concerned = len(seen.sellers)
    s.flush()

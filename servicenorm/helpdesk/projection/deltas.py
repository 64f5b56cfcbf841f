"""The aggregates (`store.aggregates`) moved by what one projection changed, in the writer's
transaction, without counting a day again.

Every evidence item counts in one bucket: its seller's local day (the marketplace's zone), and
for an order its category. An item the projector created, changed or deleted adds what it
counts now and subtracts what it counted as stored (`was`, read with it: `state._remember`):
an answered question +1 on time or late; a reply before its question, a late phone-hours change
or closure, a country that moves an open deadline, a cancellation or a duplicate move exactly
the items they touch, and nothing else. The sums go in with one `INSERT ... ON CONFLICT DO
UPDATE SET n = n + excluded.n` per table (PostgreSQL and SQLite alike: two writers never lose
an increment), sorted by key so two writers lock rows in the same order.

`settled` (the latest instant among a bucket's facts, the readers' test of a view of the past)
only grows by an addition: the upsert keeps the later one. When a change takes a fact away
from a bucket or moves it earlier (a turn split by a reply that arrived before its question, a
call a late closure no longer counts, an earlier shipment or cancellation), that fact may have
been the latest, and a maximum cannot be taken back: that bucket alone is then counted again
from its items (`aggregates.recount`), after the upsert has locked its row (a concurrent
writer's items are then in the count, or it adds its own difference after it). Marketplace
rows (per day and category) move by the order rows' differences; their `settled` only grows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table

from servicenorm.clock import to_us
from servicenorm.helpdesk.projection.aggregates import (
    DAYS,
    MARKET_DAYS,
    asked,
    day_of,
    recount,
    sellers_where,
    zone_of,
)
from servicenorm.helpdesk.projection.records import CallRec, OrderRec, QuestionRec, TurnRec
from servicenorm.helpdesk.projection.sql import Db
from servicenorm.helpdesk.projection.state import State
from servicenorm.store.items import WAIVED

# the counted columns of each kind's table, in order
COUNTS: dict[str, tuple[str, ...]] = {
    "question": ("on_time", "late"),
    "turn": ("on_time", "late"),
    "call": ("attempts", "answered"),
    "review": ("count", "total"),
    "order": ("orders", "questions", "on_time", "tracked", "late"),
}
Key = tuple[str, str, int, str]  # kind, seller, local day (ordinal), category ("" but orders)
# what an item counts: its bucket's seller and the instant that names its day, the counts
# (COUNTS order) and the instant it settles
Part = tuple[str, datetime, tuple[int, ...], datetime]
Where = dict[str, tuple[str, ZoneInfo]]  # seller -> (marketplace, zone)


class Deltas:
    """The sums by bucket, the buckets that lost a fact, and the marketplaces' sums."""

    def __init__(self, conn: Connection, where: Where) -> None:
        self.conn, self.where = conn, where
        self.rows: dict[Key, list[int]] = {}  # counts..., then settled (epoch us, -1: none)
        self.dropped: set[Key] = set()
        self.market: dict[tuple[str, int, str], list[int]] = {}  # orders, questions, settled

    def add(self, kind: str, part: Part, sign: int, category: str = "") -> Key:
        seller, at, counts, settled = part
        key = (kind, seller, day_of(at, self.of(seller)[1]), category)
        row = self.rows.get(key)
        if row is None:
            row = self.rows[key] = [0] * len(counts) + [-1]
        for i, n in enumerate(counts):
            row[i] += sign * n
        if sign > 0:
            row[-1] = max(row[-1], to_us(settled))
        return key

    def of(self, seller: str) -> tuple[str, ZoneInfo]:
        """The seller's marketplace and zone (read from the store if the state lacks it)."""
        found = self.where.get(seller)
        if found is None:
            self.where.update(sellers_where(self.conn, [seller]))
            found = self.where[seller]
        return found

    def item(self, kind: str, before: Part | None, after: Part | None) -> None:
        """An item that counted `before` as stored and counts `after` now."""
        if before == after:
            return
        new = self.add(kind, after, +1) if after is not None else None
        if before is not None:
            old = self.add(kind, before, -1)
            if after is None or new != old or after[3] < before[3]:
                self.dropped.add(old)  # its fact may have been the bucket's latest


def _reply(
    seller: str, received: datetime, deadline: datetime, reply: datetime | None, by: Any = None
) -> Part:
    assert reply is not None
    if reply > deadline:
        return seller, received, (0, 1), reply
    # a question waived by its deadline counts neither way, but settles its bucket
    return seller, received, ((0, 0) if by == WAIVED else (1, 0)), reply


def _replied(seller: str, facts: tuple[Any, ...] | None) -> Part | None:
    """A question's or turn's part (facts: received, deadline, reply and, for a question, who
    replied): answered ones count."""
    if facts is None or facts[2] is None:
        return None
    return _reply(seller, *facts)


def _call(c: CallRec, facts: tuple[Any, ...] | None) -> Part | None:
    """A call counts in the seller's phone hours with the shop open (facts: those two)."""
    if facts is None or not facts[0] or facts[1]:
        return None
    return c.seller_id, c.at, (1, int(bool(c.answered))), c.at


def collect(d: Deltas, snap: State) -> dict[str, tuple[OrderRec, int, int]]:
    """Add to `d` what the items the projection created, changed or deleted count; return the
    orders to count (order -> (order, new questions naming it, their latest arrival in epoch
    microseconds, -1 if none))."""
    questions: dict[int, QuestionRec] = {}
    turns: dict[int, TurnRec] = {}
    for c in snap.convs.values():
        if c.question is not None:
            questions[id(c.question)] = c.question
        for t in (c.turns or {}).values():
            turns[id(t)] = t
    for items in snap.open_items.values():
        for x in items:
            if isinstance(x, QuestionRec):
                questions[id(x)] = x
            else:
                turns[id(x)] = x
    orders: dict[str, tuple[OrderRec, int, int]] = {}
    for q in questions.values():
        if not (q.new or q.changed):
            continue
        d.item("question", _replied(q.seller_id, q.was), _replied(q.seller_id, q.facts()))
        if q.new and q.order_id is not None and q.order_id in snap.orders:
            o, n, last = orders.get(q.order_id, (snap.orders[q.order_id], 0, -1))
            orders[q.order_id] = (o, n + 1, max(last, to_us(q.received_at)))
    for t in turns.values():
        if t.new and t.deleted:
            continue
        if t.new or t.changed or t.deleted:
            after = None if t.deleted else _replied(t.seller_id, t.facts())
            d.item("turn", _replied(t.seller_id, t.was), after)
    for call in snap.calls.values():
        if call.new or call.changed:
            d.item("call", _call(call, call.was), _call(call, call.facts()))
    for r in snap.reviews:
        d.add("review", (r.seller_id, r.at, (1, int(r.rating)), r.at), +1)
    for o in snap.orders.values():
        if (o.new or o.changed) and o.id not in orders:
            orders[o.id] = (o, 0, -1)
    return orders


def _order_part(o: OrderRec, facts: tuple[Any, ...], questions: int) -> tuple[int, ...]:
    """(orders, questions, on time, tracked, late) of an order with `facts` (see
    `OrderRec.facts`) and `questions` naming it: nothing once cancelled."""
    ship_by, shipped, tracking, cancelled = facts
    if cancelled is not None:
        return (0, 0, 0, 0, 0)
    if shipped is None:
        return (1, questions, 0, 0, 0)
    if shipped <= ship_by:
        return (1, questions, 1, int(bool((tracking or "").strip())), 0)
    return (1, questions, 0, 0, 1)


def _orders(conn: Connection, d: Deltas, orders: dict[str, tuple[OrderRec, int, int]]) -> None:
    """Each order's difference, and its marketplace's. The questions naming an order count
    while it is not cancelled: a new question adds one; an order cancelled now takes away the
    stored ones (counted for those orders only)."""

    def counted(facts: tuple[Any, ...]) -> bool:
        return facts[3] is None  # not cancelled

    flipped = [
        o.id
        for o, _, _ in orders.values()
        if not o.new and o.was is not None and counted(o.was) != counted(o.facts())
    ]
    total = asked(conn, flipped) if flipped else {}
    for o, fresh, last_q in orders.values():
        now = o.facts()
        was = o.was if not o.new else None
        diff = list(_order_part(o, now, 0))
        if was is not None:
            diff = [a - b for a, b in zip(diff, _order_part(o, was, 0), strict=True)]
        if o.id in total or o.id in flipped:  # (un)cancelled now: every question named it
            n = total.get(o.id, (0, 0))[0]
            diff[1] = n if counted(now) else -(n - fresh)
        elif counted(now):
            diff[1] = fresh
        market, zone = d.of(o.seller_id)
        day = day_of(o.placed_at, zone)
        facts = [to_us(x) for x in (o.placed_at, now[1], now[3]) if x is not None]
        settled = max(*facts, last_q)
        key: Key = ("order", o.seller_id, day, o.category)
        row = d.rows.get(key)
        if row is None:
            row = d.rows[key] = [0] * len(diff) + [-1]
        for i, n in enumerate(diff):
            row[i] += n
        row[-1] = max(row[-1], settled)
        m = d.market.setdefault((market, day, o.category), [0, 0, -1])
        m[0] += diff[0]
        m[1] += diff[1]
        m[2] = max(m[2], settled)
        if was is not None and _earlier(was, now):
            d.dropped.add(key)


def _earlier(was: tuple[Any, ...], now: tuple[Any, ...]) -> bool:
    """A shipment or cancellation moved earlier (the bucket's latest fact may have gone)."""
    return any(
        b is not None and (a is None or a < b) for b, a in ((was[1], now[1]), (was[3], now[3]))
    )


def apply(conn: Connection, snap: State) -> None:
    """Move the aggregates by what the projection changed in `snap`."""
    where: Where = {
        s.id: (s.marketplace_id, zone_of(snap.markets[s.marketplace_id].preset))
        for s in snap.sellers.values()
        if s.marketplace_id in snap.markets
    }
    d = Deltas(conn, where)
    orders = collect(d, snap)
    if orders:
        _orders(conn, d, orders)
    if not d.rows:
        return
    db = Db(conn)
    by_kind: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for key in sorted(d.rows):
        kind, seller, day, category = key
        row = d.rows[key]
        settled = row[-1] if row[-1] >= 0 else 0
        lead = (seller, day, category) if kind == "order" else (seller, day)
        by_kind[kind].append((*lead, *row[:-1], settled))
    for kind, values in by_kind.items():
        keys = ("seller_id", "day", "category") if kind == "order" else ("seller_id", "day")
        _upsert(db, DAYS[kind], keys, COUNTS[kind], values)
    if d.market:
        _upsert(
            db,
            MARKET_DAYS,
            ("marketplace_id", "day", "category"),
            ("orders", "questions"),
            [(*k, o, q, max(s, 0)) for k, (o, q, s) in sorted(d.market.items())],
        )
    if d.dropped:
        _count_again(conn, d.dropped, d.where)


def _count_again(conn: Connection, dropped: Iterable[Key], where: Where) -> None:
    """The buckets that lost a fact, counted from their items (`settled` exact again)."""
    groups: dict[tuple[str, int], list[str]] = defaultdict(list)
    for kind, seller, day, _ in sorted(set(dropped)):
        if seller not in groups[(kind, day)]:
            groups[(kind, day)].append(seller)
    for (kind, day), sellers in sorted(groups.items()):
        by_zone: dict[str, list[str]] = defaultdict(list)
        zones: dict[str, ZoneInfo] = {}
        for s in sellers:
            z = where[s][1]
            by_zone[str(z)].append(s)
            zones[str(z)] = z
        for name, ids in by_zone.items():
            recount(conn, kind, zones[name], day, ids, where, market=False)


def _upsert(
    db: Db,
    table: Table,
    keys: tuple[str, ...],
    counts: tuple[str, ...],
    values: list[tuple[Any, ...]],
) -> None:
    sql = _upsert_sql(table.name, keys, counts, db.mark)
    cur = db.raw.cursor()
    try:
        if len(values) == 1:
            cur.execute(sql, values[0])
        else:
            cur.executemany(sql, values)
    finally:
        cur.close()


@lru_cache(maxsize=32)
def _upsert_sql(table: str, keys: tuple[str, ...], counts: tuple[str, ...], mark: str) -> str:
    cols = ", ".join(f'"{c}"' for c in (*keys, *counts, "settled"))
    marks = ", ".join([mark] * (len(keys) + len(counts) + 1))
    conflict = ", ".join(f'"{k}"' for k in keys)
    adds = ", ".join(f'"{c}" = "{table}"."{c}" + excluded."{c}"' for c in counts)
    latest = (
        f'CASE WHEN excluded."settled" > "{table}"."settled" '
        f'THEN excluded."settled" ELSE "{table}"."settled" END'
    )
    return (
        f'INSERT INTO "{table}" ({cols}) VALUES ({marks}) '
        f'ON CONFLICT ({conflict}) DO UPDATE SET {adds}, "settled" = {latest}'
    )

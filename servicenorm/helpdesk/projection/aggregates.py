"""The aggregates of the evidence items (`store.aggregates`) counted from the items: a bucket
(a seller's local day in the marketplace's zone, and for orders a category) counted again.

The writer does not count: it moves the aggregates by the difference each changed item makes
(`projection.deltas`), and counts a bucket here only when a change took away a fact that may
have been its latest (`settled`). `rebuild` counts everything from scratch (an upgraded store;
the tests compare what the writer kept against it). The marketplace's per-category rows move
by the difference between a seller's old and new order rows (an atomic increment).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Connection,
    Table,
    delete,
    func,
    insert,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects import postgresql, sqlite

from servicenorm.clock import from_us
from servicenorm.clock.kernel import local_midnight
from servicenorm.policy.stored import policy_for
from servicenorm.store.aggregates import (
    CallDay,
    MarketOrderDay,
    OrderDay,
    QuestionDay,
    ReviewDay,
    TurnDay,
)
from servicenorm.store.items import WAIVED, CallItem, QuestionItem, ReviewItem, TurnItem
from servicenorm.store.keylists import parts
from servicenorm.store.orders import Order
from servicenorm.store.tenancy import Marketplace, Seller

Kind = str  # question | turn | call | review | order
KINDS: tuple[Kind, ...] = ("question", "turn", "call", "review", "order")


def _t(model: Any) -> Table:
    t: Table = model.__table__
    return t


DAYS: dict[Kind, Table] = {
    "question": _t(QuestionDay),
    "turn": _t(TurnDay),
    "call": _t(CallDay),
    "review": _t(ReviewDay),
    "order": _t(OrderDay),
}
MARKET_DAYS = _t(MarketOrderDay)


@lru_cache(maxsize=64)
def zone_of(preset: str) -> ZoneInfo:
    return ZoneInfo(policy_for(preset).zone)


def day_of(at: datetime, zone: ZoneInfo) -> int:
    """The local date of `at` in `zone`, as an ordinal (the aggregates' `day`)."""
    return at.astimezone(zone).date().toordinal()


def day_span(zone: ZoneInfo, day: int) -> tuple[datetime, datetime]:
    """[first instant, first instant of the next day) of a local date ordinal."""
    d = date.fromordinal(day)
    nxt = date.fromordinal(day + 1)
    return from_us(local_midnight(zone, d)), from_us(local_midnight(zone, nxt))


@dataclass
class Touched:
    """Per kind, the (seller, instant) of every item that changed."""

    at: dict[Kind, set[tuple[str, datetime]]]

    def __init__(self) -> None:
        self.at = defaultdict(set)

    def add(self, kind: Kind, seller: str, at: datetime) -> None:
        self.at[kind].add((seller, at))

    def sellers(self) -> set[str]:
        return {s for pairs in self.at.values() for s, _ in pairs}

    def __bool__(self) -> bool:
        return any(self.at.values())


def _chunks(ids: Iterable[str]) -> list[list[str]]:
    return parts(sorted(set(ids)))


def sellers_where(conn: Connection, ids: Iterable[str]) -> dict[str, tuple[str, ZoneInfo]]:
    """seller -> (marketplace, the marketplace's zone)."""
    out: dict[str, tuple[str, ZoneInfo]] = {}
    for part in _chunks(ids):
        for sid, mid, preset in conn.execute(
            select(Seller.id, Seller.marketplace_id, Marketplace.preset)
            .join(Marketplace, Marketplace.id == Seller.marketplace_id)
            .where(Seller.id.in_(part))
        ):
            out[sid] = (mid, zone_of(preset))
    return out


def _lock(conn: Connection, sellers: Sequence[str]) -> None:
    if conn.dialect.name != "postgresql" or not sellers:
        return
    conn.execute(
        text(
            "SELECT pg_advisory_xact_lock(hashtext(x)) "
            "FROM (SELECT unnest(CAST(:ids AS text[])) AS x ORDER BY 1) s"
        ),
        {"ids": sorted(sellers)},
    )


def refresh(
    conn: Connection, touched: Touched, where: dict[str, tuple[str, ZoneInfo]] | None = None
) -> None:
    """Count every touched bucket again; `where` names each touched seller's marketplace and
    zone (read from the store for the sellers it lacks)."""
    if not touched:
        return
    sellers = touched.sellers()
    known = dict(where or {})
    missing = sellers - known.keys()
    if missing:
        known.update(sellers_where(conn, missing))
    _lock(conn, sorted(sellers))
    for kind in KINDS:
        buckets: dict[tuple[ZoneInfo, int], set[str]] = defaultdict(set)
        for seller, at in touched.at.get(kind, ()):
            if seller not in known:
                continue  # a seller the store does not know has no items
            zone = known[seller][1]
            buckets[(zone, day_of(at, zone))].add(seller)
        for (zone, day), ids in sorted(buckets.items(), key=lambda x: (str(x[0][0]), x[0][1])):
            for part in _chunks(ids):
                recount(conn, kind, zone, day, part, known)


def recount(
    conn: Connection,
    kind: Kind,
    zone: ZoneInfo,
    day: int,
    sellers: list[str],
    where: dict[str, tuple[str, ZoneInfo]],
    *,
    market: bool = True,
) -> None:
    """The rows of `sellers` on `day` counted again from their items; with `market` the
    marketplace rows move by the difference (the writer's deltas moved them already)."""
    lo, hi = day_span(zone, day)
    table = DAYS[kind]
    rows = COUNTERS[kind](conn, sellers, lo, hi)
    if kind == "order" and market:
        old = conn.execute(
            select(table.c.seller_id, table.c.category, table.c.orders, table.c.questions).where(
                table.c.seller_id.in_(sellers), table.c.day == day
            )
        ).all()
        _move_market(conn, day, old, rows, where)
    conn.execute(delete(table).where(table.c.seller_id.in_(sellers), table.c.day == day))
    if rows:
        conn.execute(insert(table), [{**r, "day": day} for r in rows])


def _move_market(
    conn: Connection,
    day: int,
    old: Sequence[Any],
    new: list[dict[str, Any]],
    where: dict[str, tuple[str, ZoneInfo]],
) -> None:
    delta: dict[tuple[str, str], list[Any]] = {}
    for r in old:
        d = delta.setdefault((where[r.seller_id][0], r.category), [0, 0, None])
        d[0] -= r.orders
        d[1] -= r.questions
    for n in new:
        d = delta.setdefault((where[n["seller_id"]][0], n["category"]), [0, 0, None])
        d[0] += n["orders"]
        d[1] += n["questions"]
        d[2] = n["settled"] if d[2] is None else max(d[2], n["settled"])
    rows = [
        {
            "marketplace_id": market,
            "day": day,
            "category": category,
            "orders": o,
            "questions": q,
            "settled": settled if settled is not None else from_us(0),
        }
        for (market, category), (o, q, settled) in sorted(delta.items())
        if o or q or settled is not None
    ]
    if not rows:
        return
    t = MARKET_DAYS
    if conn.dialect.name == "postgresql":
        pg = postgresql.insert(t)
        stmt: Any = pg.on_conflict_do_update(
            index_elements=[t.c.marketplace_id, t.c.day, t.c.category],
            set_={
                "orders": t.c.orders + pg.excluded.orders,
                "questions": t.c.questions + pg.excluded.questions,
                "settled": func.greatest(t.c.settled, pg.excluded.settled),
            },
        )
    else:
        lite = sqlite.insert(t)
        stmt = lite.on_conflict_do_update(
            index_elements=[t.c.marketplace_id, t.c.day, t.c.category],
            set_={
                "orders": t.c.orders + lite.excluded.orders,
                "questions": t.c.questions + lite.excluded.questions,
                "settled": func.max(t.c.settled, lite.excluded.settled),
            },
        )
    conn.execute(stmt, rows)


# -- counting one bucket from its items (the reader's rules, `helpdesk.performance`) ----------


def _replies(
    conn: Connection, table: Table, replied: str, by: str, sellers: list[str], lo: Any, hi: Any
) -> list[dict[str, Any]]:
    """Answered items: on time when the reply is at or before the deadline, else late; a
    question waived by its deadline (`by` is "waived") counts neither way, but settles."""
    out: dict[str, dict[str, Any]] = {}
    for sid, deadline, reply, who in conn.execute(
        select(
            table.c.seller_id, _int(table.c.deadline), _int(table.c[replied]), table.c[by]
        ).where(
            table.c.seller_id.in_(sellers),
            table.c.received_at >= lo,
            table.c.received_at < hi,
            table.c[replied].is_not(None),
        )
    ):
        r = out.setdefault(sid, {"seller_id": sid, "on_time": 0, "late": 0, "settled": reply})
        if reply > deadline:
            r["late"] += 1
        elif who != WAIVED:
            r["on_time"] += 1
        r["settled"] = max(r["settled"], reply)
    return _instants(list(out.values()))


def _questions(conn: Connection, sellers: list[str], lo: Any, hi: Any) -> list[dict[str, Any]]:
    return _replies(conn, _t(QuestionItem), "first_reply_at", "first_reply_by", sellers, lo, hi)


def _turns(conn: Connection, sellers: list[str], lo: Any, hi: Any) -> list[dict[str, Any]]:
    return _replies(conn, _t(TurnItem), "replied_at", "replied_by", sellers, lo, hi)


def _calls(conn: Connection, sellers: list[str], lo: Any, hi: Any) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for sid, at, answered in conn.execute(
        select(CallItem.seller_id, _int(CallItem.at), CallItem.answered).where(
            CallItem.seller_id.in_(sellers),
            CallItem.at >= lo,
            CallItem.at < hi,
            CallItem.in_hours,
            CallItem.shop_closed.is_(False),
        )
    ):
        r = out.setdefault(sid, {"seller_id": sid, "attempts": 0, "answered": 0, "settled": at})
        r["attempts"] += 1
        r["answered"] += int(bool(answered))
        r["settled"] = max(r["settled"], at)
    return _instants(list(out.values()))


def _reviews(conn: Connection, sellers: list[str], lo: Any, hi: Any) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for sid, at, rating in conn.execute(
        select(ReviewItem.seller_id, _int(ReviewItem.at), ReviewItem.rating).where(
            ReviewItem.seller_id.in_(sellers), ReviewItem.at >= lo, ReviewItem.at < hi
        )
    ):
        r = out.setdefault(sid, {"seller_id": sid, "count": 0, "total": 0, "settled": at})
        r["count"] += 1
        r["total"] += int(rating)
        r["settled"] = max(r["settled"], at)
    return _instants(list(out.values()))


def asked(conn: Connection, order_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
    """order -> (questions naming it, the latest one's arrival, epoch microseconds)."""
    out: dict[str, tuple[int, int]] = {}
    for part in _chunks(order_ids):
        for oid, n, last in conn.execute(
            select(QuestionItem.order_id, func.count(), func.max(_int(QuestionItem.received_at)))
            .where(QuestionItem.order_id.in_(part))
            .group_by(QuestionItem.order_id)
        ):
            out[str(oid)] = (int(n), int(last))
    return out


def _orders(conn: Connection, sellers: list[str], lo: Any, hi: Any) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(
            Order.id,
            Order.seller_id,
            Order.category,
            _int(Order.placed_at).label("placed_at"),
            _int(Order.ship_by).label("ship_by"),
            _int(Order.shipped_at).label("shipped_at"),
            Order.tracking,
            _int(Order.cancelled_at).label("cancelled_at"),
        ).where(Order.seller_id.in_(sellers), Order.placed_at >= lo, Order.placed_at < hi)
    ).all()
    questions = asked(conn, [r.id for r in rows])
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for o in rows:
        n, last_q = questions.get(o.id, (0, None))
        facts = [x for x in (o.placed_at, o.shipped_at, o.cancelled_at, last_q) if x is not None]
        r = out.setdefault(
            (o.seller_id, o.category),
            {
                "seller_id": o.seller_id,
                "category": o.category,
                "orders": 0,
                "questions": 0,
                "on_time": 0,
                "tracked": 0,
                "late": 0,
                "settled": o.placed_at,
            },
        )
        r["settled"] = max(r["settled"], *facts)
        if o.cancelled_at is not None:
            continue  # counted nowhere once cancelled (its row still says since when)
        r["orders"] += 1
        r["questions"] += n
        if o.shipped_at is None:
            continue  # pending or late: read one by one
        if o.shipped_at <= o.ship_by:
            r["on_time"] += 1
            r["tracked"] += int(bool((o.tracking or "").strip()))
        else:
            r["late"] += 1
    return _instants(list(out.values()))


def _int(col: Any) -> Any:
    """An instant column as its stored epoch microseconds (no datetime per value)."""
    return type_coerce(col, BigInteger)


def _instants(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for r in rows:
        r["settled"] = from_us(r["settled"])
    return rows


COUNTERS = {
    "question": _questions,
    "turn": _turns,
    "call": _calls,
    "review": _reviews,
    "order": _orders,
}


def rebuild(conn: Connection) -> None:
    """Every aggregate counted from the stored items (an upgraded store, the tests)."""
    for table in (*DAYS.values(), MARKET_DAYS):
        conn.execute(delete(table))
    touched = Touched()
    for kind, seller, at in (
        ("question", QuestionItem.seller_id, QuestionItem.received_at),
        ("turn", TurnItem.seller_id, TurnItem.received_at),
        ("call", CallItem.seller_id, CallItem.at),
        ("review", ReviewItem.seller_id, ReviewItem.at),
        ("order", Order.seller_id, Order.placed_at),
    ):
        for sid, when in conn.execute(select(seller, at).distinct()):
            touched.add(kind, sid, when)
    refresh(conn, touched)

"""A seller's metrics read from the live store (STYLE 15: what time changes is derived when
read): the per-seller object of the `evaluate --format json` contract, with the same keys,
counts and rounding, for a window and an as-of instant.

Three sources, never counted twice:

* the aggregates (`store.aggregates`): per seller and local day, what is final (answered
  questions and turns, calls, reviews, orders with their questions and shipments), summed in
  SQL; a row is used only when `settled <= as_of` (nothing it counts happened after as-of);
* the open items of the window (unanswered questions and turns, orders neither shipped nor
  cancelled): pending or late is decided here from the stored deadline and as-of;
* for a day whose row is not settled by as-of (a view of the past), that day's items, read and
  judged one by one as of as-of (a reply, a shipment, a cancellation after as-of is unseen).

`evaluate` (DuckDB, Spark) recomputes the same from the event log and stays the reference
(tests/helpdesk/test_live_parity.py keeps the two equal).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Connection, Table, case, func, literal, select, type_coerce

from servicenorm.clock import from_us, to_us
from servicenorm.clock.kernel import local_midnight
from servicenorm.metrics.window import Window
from servicenorm.policy import Policy
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
from servicenorm.store.tenancy import Seller


def _t(model: Any) -> Table:
    t: Table = model.__table__
    return t


def _rate(num: int, den: int, digits: int = 4) -> float | None:
    return round(num / den, digits) if den else None


def status(
    deadline: datetime, replied: datetime | None, as_of: datetime, by: str | None = None
) -> str:
    """SPEC R3.1: on time when answered at or before the deadline; late when answered after
    it, or unanswered with as-of past it; otherwise pending. A reply after as-of is unseen.
    A question waived (`by` WAIVED) by its deadline is `waived`: it counts neither way
    (docs/events-extensions.md); waived after the deadline it is late."""
    if replied is not None and replied > as_of:
        replied = None
    if replied is not None and replied <= deadline:
        return WAIVED if by == WAIVED else "on_time"
    if replied is not None or as_of > deadline:
        return "late"
    return "pending"


@lru_cache(maxsize=256)
def _midnights(zone: str, first: int, end: int) -> list[int]:
    """The local midnights (microseconds) of days `first` to `end` (ordinals, inclusive)."""
    tz = ZoneInfo(zone)
    return [local_midnight(tz, date.fromordinal(d)) for d in range(first, end + 1)]


class Span:
    """The window's local days (ordinals) and what as-of sees of them."""

    def __init__(self, window: Window) -> None:
        zone = ZoneInfo(window.zone)
        self.window = window
        self.as_of = window.as_of
        self.first = window.start.toordinal()
        self.end = window.end.toordinal()
        self.bounds = _midnights(window.zone, self.first, self.end)
        self.start = from_us(window.start_us)
        # an instant counts when in [start, end) and seen by as-of
        self.last = min(from_us(window.end_us - 1), window.as_of)
        last_us = to_us(self.last)
        # the days as-of sees anything of (none when as-of is before the window)
        self.seen_end = self.first + bisect_right(self.bounds[:-1], last_us)
        weeks = window.iso_weeks()
        self.weeks = [w[0] for w in weeks]
        self._week_lo = [w[1] for w in weeks]
        self.week_lo = dict(zip(self.weeks, self._week_lo, strict=True))
        # a day (ordinal) of each week that the window holds
        self.week_day = [from_us(lo, zone).date().toordinal() for lo in self._week_lo]

    def day(self, at: datetime) -> int:
        return self.first + bisect_right(self.bounds, to_us(at)) - 1

    def span(self, day: int) -> tuple[datetime, datetime]:
        i = day - self.first
        return from_us(self.bounds[i]), from_us(self.bounds[i + 1])

    def week_of_us(self, us: int) -> str:
        return self.weeks[bisect_right(self._week_lo, us) - 1]

    def week_of_day(self, day: int) -> str:
        return self.week_of_us(self.bounds[day - self.first])


def iso_week(day: date) -> str:
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


class Counters:
    """What a seller's figures are made of (the contract's figures and a trend's points)."""

    __slots__ = ("calls", "fr", "mr", "orders", "reviews", "ship", "weekly")

    def __init__(self, weeks: list[str]) -> None:
        self.fr = {"on_time": 0, "late": 0, "pending": 0}
        self.mr = {"on_time": 0, "late": 0, "pending": 0}
        self.weekly = dict.fromkeys(weeks, 0)
        self.calls = [0, 0]  # attempts, answered
        self.reviews = [0, 0]  # count, total
        self.orders: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # category: n, questions
        self.ship = {"on_time": 0, "tracked": 0, "late": 0}

    def add(self, other: Counters) -> None:
        """Count `other`'s items too (a day's counters into a window's or a week's); its late
        first responses count in the weeks this one keeps."""
        for mine, theirs in ((self.fr, other.fr), (self.mr, other.mr), (self.ship, other.ship)):
            for k, v in theirs.items():
                mine[k] += v
        for week, late in other.weekly.items():
            if late and week in self.weekly:
                self.weekly[week] += late
        for i in (0, 1):
            self.calls[i] += other.calls[i]
            self.reviews[i] += other.reviews[i]
        for category, (n, q) in other.orders.items():
            got = self.orders[category]
            got[0] += n
            got[1] += q


def _settled_and_not(
    conn: Connection,
    table: Table,
    ids: Sequence[str],
    sp: Span,
    sums: Sequence[str],
    by: Sequence[Any] = (),
) -> tuple[list[Any], set[tuple[Any, ...]]]:
    """(the sums of the settled rows by seller and `by`, the keys of the rows not settled)."""
    rows: list[Any] = []
    unsettled: set[tuple[Any, ...]] = set()
    if sp.seen_end <= sp.first:
        return rows, unsettled
    keys = [table.c.seller_id, table.c.day]
    if "category" in table.c:
        keys.append(table.c.category)
    for part in parts(ids):
        days = (
            table.c.seller_id.in_(part),
            table.c.day >= sp.first,
            table.c.day < sp.seen_end,
        )
        rows.extend(
            conn.execute(
                select(table.c.seller_id, *by, *(func.sum(table.c[c]).label(c) for c in sums))
                .where(*days, table.c.settled <= sp.as_of)
                .group_by(table.c.seller_id, *by)
            )
        )
        unsettled.update(
            tuple(r) for r in conn.execute(select(*keys).where(*days, table.c.settled > sp.as_of))
        )
    return rows, unsettled


def _items(
    conn: Connection,
    columns: Sequence[Any],
    seller: Any,
    at: Any,
    ids: Sequence[str],
    sp: Span,
    unsettled: set[tuple[Any, ...]],
    *where: Any,
    open_: Any = None,
) -> Iterator[Any]:
    """The window's items seen by as-of: those of the unsettled days, and (`open_`) the open
    ones of the other days."""
    fallback = {(k[0], k[1]) for k in unsettled}
    wanted = [
        (open_, None),
        *([] if not fallback else [(None, fallback)]),
    ]
    for cond, days in wanted:
        if cond is None and days is None:
            continue
        sellers = sorted({s for s, _ in days}) if days else list(ids)
        lo = sp.start if days is None else max(sp.start, sp.span(min(d for _, d in days))[0])
        for part in parts(sellers):
            q = select(*columns, seller.label("k_seller"), at.label("k_at")).where(
                seller.in_(part), at >= lo, at <= sp.last, *where
            )
            if cond is not None:
                q = q.where(cond)
            for r in conn.execute(q):
                key = (r.k_seller, sp.day(r.k_at))
                if (days is None) == (key in fallback):
                    continue  # open items of unsettled days come with those days
                yield r


Grain = Literal["total", "week", "day"]


class _Acc:
    """The counters of each seller (`total`), of each seller and ISO week (`week`, keyed by
    YYYY-Www) or of each seller and local day (`day`, keyed by the day's ordinal)."""

    def __init__(self, sp: Span, grain: Grain) -> None:
        self.sp, self.grain = sp, grain
        self.by: dict[tuple[str, Any], Counters] = {}

    def of_day(self, seller: str, day: int) -> Counters:
        key: Any = (
            None
            if self.grain == "total"
            else day
            if self.grain == "day"
            else iso_week(date.fromordinal(day))
        )
        got = self.by.get((seller, key))
        if got is None:
            got = self.by[(seller, key)] = Counters(self.sp.weeks)
        return got

    def of_item(self, seller: str, at: datetime) -> Counters:
        return self.of_day(seller, self.sp.day(at))

    def group(self, table: Table, week_at_least: bool = False) -> tuple[Any, ...]:
        """The grouping that keeps this grain (a day of the group as `wk`): the day, or the
        week as (day - 1) // 7 (ordinal 1, 0001-01-01, is a Monday)."""
        if self.grain == "day":
            return (table.c.day.label("wk"),)
        if self.grain == "week" or week_at_least:
            return (((table.c.day - literal(1)) // literal(7)).label("wk"),)
        return ()

    def day_of(self, r: Any) -> int:
        """A day of the group of row `r` (grouped by `group`)."""
        return int(r.wk) if self.grain == "day" else int(r.wk) * 7 + 1

    def row(self, r: Any) -> Counters:
        return self.of_day(r.seller_id, self.day_of(r) if self.grain != "total" else 0)


def _open_counts(
    conn: Connection,
    ids: Sequence[str],
    sp: Span,
    at: Any,
    due: Any,
    seller: Any,
    is_open: Any,
    grain: Grain,
) -> Iterator[tuple[str, int, int, int]]:
    """(seller, a day of the group, open items, those past their due instant at as-of): the
    open items of the window counted in SQL by seller (`total`), week or day, pending or late
    decided here by as-of."""
    at_us, due_us = type_coerce(at, BigInteger), type_coerce(due, BigInteger)
    as_of = to_us(sp.as_of)
    if grain == "day":  # one seller's page: its open items as numbers, put in days here
        got: dict[tuple[str, int], list[int]] = {}
        for part in parts(list(ids)):
            for sid, at_n, due_n in conn.execute(
                select(seller, at_us, due_us).where(
                    seller.in_(part), is_open, at >= sp.start, at <= sp.last
                )
            ):
                cell = got.setdefault(
                    (str(sid), sp.first + bisect_right(sp.bounds, at_n) - 1), [0, 0]
                )
                cell[0] += 1
                cell[1] += int(due_n < as_of)
        for (sid, day), (n, late) in got.items():
            yield sid, day, n, late
        return
    by: list[Any] = [seller]
    lows = sp._week_lo if grain == "week" else [to_us(sp.start)]
    days = sp.week_day if grain == "week" else [sp.first]
    if grain != "total" and lows:
        bucket = case(
            *((at_us < hi, k) for k, hi in enumerate([*lows[1:], 2**62])),
            else_=len(lows) - 1,
        ).label("k")
        by.append(bucket)
    for part in parts(list(ids)):
        for r in conn.execute(
            select(
                *by,
                func.count().label("n"),
                func.sum(case((due_us < as_of, 1), else_=0)).label("late"),
            )
            .where(seller.in_(part), is_open, at >= sp.start, at <= sp.last)
            .group_by(*by)
        ):
            day = days[int(r.k)] if grain != "total" and lows else sp.first
            yield str(r[0]), day, int(r.n), int(r.late or 0)


def seller_metrics(
    conn: Connection, policy: Policy, sellers: Sequence[str], window: Window
) -> dict[str, dict[str, Any]]:
    """Each seller's metrics (contract order and keys); sellers of one marketplace."""
    if not sellers:
        return {}
    counted, rates = seller_counters(conn, policy, sellers, window)
    return {s: figures(policy, c, rates) for s, c in counted.items()}


def seller_counters(
    conn: Connection, policy: Policy, sellers: Sequence[str], window: Window
) -> tuple[dict[str, Counters], dict[str, float]]:
    """(each seller's counters of the window, the marketplace's questions per order by
    category): what `seller_metrics` makes figures of, for a reader that keeps the counts (the
    overview's stored standings keep each seller's orders per category)."""
    sp = Span(window)
    ids = list(dict.fromkeys(sellers))
    if not ids:
        return {}, {}
    acc = _tally(conn, policy, ids, sp, "total")
    rates = category_rates(conn, sp, ids)
    return {s: acc.by.get((s, None)) or Counters(sp.weeks) for s in ids}, rates


def personal_norm(orders: Iterable[tuple[str, int]], rates: dict[str, float]) -> float | None:
    """The question-rate norm of a seller with `orders` (category, orders): the marketplace's
    questions per order of each category, weighted by the seller's orders, as the report
    publishes it (4 decimals); None without orders."""
    got = list(orders)
    total = sum(n for _, n in got)
    return round(sum(n * rates.get(c, 0.0) for c, n in got) / total, 4) if total else None


def weekly_counts(
    conn: Connection, policy: Policy, sellers: Sequence[str], window: Window
) -> dict[str, dict[str, Counters]]:
    """seller -> ISO week -> the counters of the items of that week (a trend's points: each
    week as `seller_metrics` would count it for a window of that week alone)."""
    return _grouped(conn, policy, sellers, window, "week")


def daily_counts(
    conn: Connection, policy: Policy, sellers: Sequence[str], window: Window
) -> dict[str, dict[int, Counters]]:
    """seller -> local day (ordinal) -> the counters of the items of that day: what one
    seller's page folds into its window's figures, its trend's weeks and its dated plan, from
    one read per kind (`window_counters`, `week_counters`)."""
    return _grouped(conn, policy, sellers, window, "day")


def _grouped(
    conn: Connection, policy: Policy, sellers: Sequence[str], window: Window, grain: Grain
) -> dict[str, dict[Any, Counters]]:
    sp = Span(window)
    ids = list(dict.fromkeys(sellers))
    acc = _tally(conn, policy, ids, sp, grain)
    out: dict[str, dict[Any, Counters]] = {s: {} for s in ids}
    for (seller, key), c in acc.by.items():
        out[seller][key] = c
    return out


def window_counters(days: dict[int, Counters], window: Window) -> Counters:
    """The counters of `window` from the days' counters of a span that holds it."""
    sp = Span(window)
    out = Counters(sp.weeks)
    for day in range(sp.first, sp.end):
        got = days.get(day)
        if got is not None:
            out.add(got)
    return out


def week_counters(days: dict[int, Counters], window: Window) -> dict[str, Counters]:
    """ISO week -> the counters of that week's days in `window` (a trend's points)."""
    sp = Span(window)
    out: dict[str, Counters] = {}
    for day in range(sp.first, sp.end):
        got = days.get(day)
        if got is not None:
            week = iso_week(date.fromordinal(day))
            if week not in out:
                out[week] = Counters(sp.weeks)
            out[week].add(got)
    return out


def _tally(conn: Connection, policy: Policy, ids: list[str], sp: Span, grain: Grain) -> _Acc:
    acc = _Acc(sp, grain)
    _responses(conn, ids, sp, acc)
    if policy.phone is not None:
        _calls(conn, ids, sp, acc)
    _reviews(conn, ids, sp, acc)
    _orders(conn, ids, sp, acc)
    return acc


def _responses(conn: Connection, ids: list[str], sp: Span, acc: _Acc) -> None:
    q_day, qi = _t(QuestionDay), _t(QuestionItem)
    # late first responses are counted per ISO week whatever the grain (`weekly_late`)
    by = acc.group(q_day, week_at_least=True)
    rows, unsettled = _settled_and_not(conn, q_day, ids, sp, ("on_time", "late"), by)
    for r in rows:
        day = acc.day_of(r)
        a = acc.of_day(r.seller_id, day)
        a.fr["on_time"] += int(r.on_time)
        a.fr["late"] += int(r.late)
        if r.late:
            a.weekly[iso_week(date.fromordinal(day))] += int(r.late)
    if not unsettled:  # every day settled: the open items are counted, not read
        for sid, day, n, late in _open_counts(
            conn, ids, sp, qi.c.received_at, qi.c.deadline, qi.c.seller_id,
            qi.c.first_reply_at.is_(None), "day" if acc.grain == "day" else "week",
        ):  # fmt: skip
            a = acc.of_day(sid, day)
            a.fr["late"] += late
            a.fr["pending"] += n - late
            if late:
                a.weekly[iso_week(date.fromordinal(day))] += late
    for r in _items(
        conn,
        (qi.c.deadline, qi.c.first_reply_at, qi.c.first_reply_by),
        qi.c.seller_id,
        qi.c.received_at,
        ids,
        sp,
        unsettled,
        open_=qi.c.first_reply_at.is_(None) if unsettled else None,
    ):
        st = status(r.deadline, r.first_reply_at, sp.as_of, r.first_reply_by)
        if st == WAIVED:
            continue
        a = acc.of_item(r.k_seller, r.k_at)
        a.fr[st] += 1
        if st == "late":
            a.weekly[sp.week_of_us(to_us(r.k_at))] += 1

    t_day, ti = _t(TurnDay), _t(TurnItem)
    rows, unsettled = _settled_and_not(conn, t_day, ids, sp, ("on_time", "late"), acc.group(t_day))
    for r in rows:
        a = acc.row(r)
        a.mr["on_time"] += int(r.on_time)
        a.mr["late"] += int(r.late)
    if not unsettled:
        for sid, day, n, late in _open_counts(
            conn, ids, sp, ti.c.received_at, ti.c.deadline, ti.c.seller_id,
            ti.c.replied_at.is_(None), acc.grain,
        ):  # fmt: skip
            a = acc.of_day(sid, day)
            a.mr["late"] += late
            a.mr["pending"] += n - late
    for r in _items(
        conn,
        (ti.c.deadline, ti.c.replied_at),
        ti.c.seller_id,
        ti.c.received_at,
        ids,
        sp,
        unsettled,
        open_=ti.c.replied_at.is_(None) if unsettled else None,
    ):
        acc.of_item(r.k_seller, r.k_at).mr[status(r.deadline, r.replied_at, sp.as_of)] += 1


def _calls(conn: Connection, ids: list[str], sp: Span, acc: _Acc) -> None:
    cd = _t(CallDay)
    rows, unsettled = _settled_and_not(conn, cd, ids, sp, ("attempts", "answered"), acc.group(cd))
    for r in rows:
        a = acc.row(r)
        a.calls[0] += int(r.attempts)
        a.calls[1] += int(r.answered)
    ci = _t(CallItem)
    for r in _items(
        conn,
        (ci.c.answered,),
        ci.c.seller_id,
        ci.c.at,
        ids,
        sp,
        unsettled,
        ci.c.in_hours,
        ci.c.shop_closed.is_(False),
    ):
        a = acc.of_item(r.k_seller, r.k_at)
        a.calls[0] += 1
        a.calls[1] += int(bool(r.answered))


def _reviews(conn: Connection, ids: list[str], sp: Span, acc: _Acc) -> None:
    rd = _t(ReviewDay)
    rows, unsettled = _settled_and_not(conn, rd, ids, sp, ("count", "total"), acc.group(rd))
    for r in rows:
        a = acc.row(r)
        a.reviews[0] += int(r.count)
        a.reviews[1] += int(r.total)
    ri = _t(ReviewItem)
    for r in _items(conn, (ri.c.rating,), ri.c.seller_id, ri.c.at, ids, sp, unsettled):
        a = acc.of_item(r.k_seller, r.k_at)
        a.reviews[0] += 1
        a.reviews[1] += int(r.rating)


def shipping(
    ship_by: datetime, shipped: datetime | None, tracking: str | None, as_of: datetime
) -> tuple[str, bool]:
    """(on_time | late | pending, has tracking) as of `as_of` (R3.5)."""
    shipped = shipped if shipped is not None and shipped <= as_of else None
    tracked = shipped is not None and bool((tracking or "").strip())
    if shipped is not None and shipped <= ship_by:
        return "on_time", tracked
    if shipped is not None or as_of > ship_by:
        return "late", tracked
    return "pending", tracked


def _order_rows(
    conn: Connection, sp: Span, keys: set[tuple[Any, ...]], seller_of: dict[str, Any] | None
) -> Iterator[Any]:
    """The orders of unsettled (seller or marketplace, day, category) keys, seen by as-of and
    not cancelled by then, each with the questions (opened by as-of) naming it."""
    if not keys:
        return
    asked = (
        select(func.count())
        .where(QuestionItem.order_id == Order.id, QuestionItem.received_at <= sp.as_of)
        .correlate(Order)
        .scalar_subquery()
    )
    owners = sorted({k[0] for k in keys})
    sellers = owners if seller_of is None else [s for s, m in seller_of.items() if m in set(owners)]
    lo = max(sp.start, sp.span(min(k[1] for k in keys))[0])
    for part in parts(sellers):
        for r in conn.execute(
            select(
                Order.seller_id,
                Order.category,
                Order.placed_at,
                Order.ship_by,
                Order.shipped_at,
                Order.tracking,
                asked.label("questions"),
            ).where(
                Order.seller_id.in_(part),
                Order.placed_at >= lo,
                Order.placed_at <= sp.last,
                (Order.cancelled_at.is_(None)) | (Order.cancelled_at > sp.as_of),
            )
        ):
            owner = r.seller_id if seller_of is None else seller_of[r.seller_id]
            if (owner, sp.day(r.placed_at), r.category) in keys:
                yield r


def _orders(conn: Connection, ids: list[str], sp: Span, acc: _Acc) -> None:
    od = _t(OrderDay)
    rows, unsettled = _settled_and_not(
        conn,
        od,
        ids,
        sp,
        ("orders", "questions", "on_time", "tracked", "late"),
        (od.c.category, *acc.group(od)),
    )
    for r in rows:
        a = acc.row(r)
        n = a.orders[r.category]
        n[0] += int(r.orders)
        n[1] += int(r.questions)
        for k in ("on_time", "tracked", "late"):
            a.ship[k] += int(getattr(r, k))
    for r in _order_rows(conn, sp, unsettled, None):
        a = acc.of_item(r.seller_id, r.placed_at)
        n = a.orders[r.category]
        n[0] += 1
        n[1] += int(r.questions)
        st, tracked = shipping(r.ship_by, r.shipped_at, r.tracking, sp.as_of)
        if st != "pending":
            a.ship[st] += 1
            a.ship["tracked"] += int(st == "on_time" and tracked)
    # orders neither shipped nor cancelled, of the settled days: pending or late by as-of
    oo = _t(Order)
    if not unsettled:
        for sid, day, _n, late in _open_counts(
            conn, ids, sp, oo.c.placed_at, oo.c.ship_by, oo.c.seller_id,
            oo.c.shipped_at.is_(None) & oo.c.cancelled_at.is_(None), acc.grain,
        ):  # fmt: skip
            acc.of_day(sid, day).ship["late"] += late
        return
    for r in _items(
        conn,
        (oo.c.ship_by, oo.c.category),
        oo.c.seller_id,
        oo.c.placed_at,
        ids,
        sp,
        set(),
        open_=oo.c.shipped_at.is_(None) & oo.c.cancelled_at.is_(None),
    ):
        if (r.k_seller, sp.day(r.k_at), r.category) in unsettled:
            continue  # read with its day
        if sp.as_of > r.ship_by:
            acc.of_item(r.k_seller, r.k_at).ship["late"] += 1


def category_rates(conn: Connection, sp: Span, sellers: Iterable[str]) -> dict[str, float]:
    """Per category, questions per order over every seller of the sellers' marketplaces."""
    ids = sorted(set(sellers))
    markets: set[str] = set()
    for part in parts(ids):
        markets.update(conn.scalars(select(Seller.marketplace_id).where(Seller.id.in_(part))))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    if sp.seen_end <= sp.first or not markets:
        return {}
    md = _t(MarketOrderDay)
    where = (
        md.c.marketplace_id.in_(sorted(markets)),
        md.c.day >= sp.first,
        md.c.day < sp.seen_end,
    )
    for category, orders, questions in conn.execute(
        select(md.c.category, func.sum(md.c.orders), func.sum(md.c.questions))
        .where(*where, md.c.settled <= sp.as_of)
        .group_by(md.c.category)
    ):
        t = totals[category]
        t[0] += int(questions)
        t[1] += int(orders)
    unsettled = {
        tuple(r)
        for r in conn.execute(
            select(md.c.marketplace_id, md.c.day, md.c.category).where(
                *where, md.c.settled > sp.as_of
            )
        )
    }
    if unsettled:
        seller_of = dict(
            conn.execute(
                select(Seller.id, Seller.marketplace_id).where(
                    Seller.marketplace_id.in_(sorted({k[0] for k in unsettled}))
                )
            ).all()
        )
        for r in _order_rows(conn, sp, unsettled, seller_of):
            t = totals[r.category]
            t[0] += int(r.questions)
            t[1] += 1
    return {c: q / n for c, (q, n) in totals.items() if n}


def _counts(n: dict[str, int]) -> dict[str, Any]:
    return {**n, "rate": _rate(n["on_time"], n["on_time"] + n["late"])}


def figures(policy: Policy, a: Counters, rates: dict[str, float]) -> dict[str, Any]:
    orders = sum(n for n, _ in a.orders.values())
    questions = sum(q for _, q in a.orders.values())
    s_on, s_late, s_trk = a.ship["on_time"], a.ship["late"], a.ship["tracked"]
    attempts, answered = a.calls
    count, total = a.reviews
    norm = personal_norm(((c, n) for c, (n, _) in a.orders.items()), rates)
    return {
        "first_response": _counts(a.fr),
        "message_response": _counts(a.mr),
        "weekly_late": dict(a.weekly),
        "phone": None
        if policy.phone is None
        else {"attempts": attempts, "answered": answered, "rate": _rate(answered, attempts)},
        "question_rate": {
            "orders": orders,
            "questions": questions,
            "rate": _rate(questions, orders),
            "norm": norm,
        },
        "shipping": {
            "on_time": s_on,
            "late": s_late,
            "pending": orders - s_on - s_late,
            "on_time_with_tracking": s_trk,
            "rate_on_time": _rate(s_on, s_on + s_late),
            "rate_on_time_with_tracking": _rate(s_trk, s_on + s_late),
        },
        "reviews": {"count": count, "average": round(total / count, 2) if count else None},
    }


def oldest_days(conn: Connection, sellers: Sequence[str], window: Window) -> dict[str, int]:
    """Each seller's oldest local day (ordinal) of the window holding anything its figures
    count: a day's aggregate row, or an open question or buyer turn (orders, open or not, are
    in the order days). When that day leaves the window the figures change with no new event;
    before, only events and deadlines change them. Sellers with nothing are left out."""
    sp = Span(window)
    out: dict[str, int] = {}

    def keep(sid: str, day: int) -> None:
        if day < out.get(sid, day + 1):
            out[sid] = day

    ids = list(dict.fromkeys(sellers))
    for model in (QuestionDay, TurnDay, CallDay, ReviewDay, OrderDay):
        t = _t(model)
        for part in parts(ids):
            for sid, day in conn.execute(
                select(t.c.seller_id, func.min(t.c.day))
                .where(t.c.seller_id.in_(part), t.c.day >= sp.first, t.c.day < sp.end)
                .group_by(t.c.seller_id)
            ):
                keep(sid, int(day))
    for t, is_open in (
        (_t(QuestionItem), _t(QuestionItem).c.first_reply_at.is_(None)),
        (_t(TurnItem), _t(TurnItem).c.replied_at.is_(None)),
    ):
        for part in parts(ids):
            for sid, at in conn.execute(
                select(t.c.seller_id, func.min(type_coerce(t.c.received_at, BigInteger)))
                .where(
                    t.c.seller_id.in_(part),
                    is_open,
                    t.c.received_at >= sp.start,
                    t.c.received_at < from_us(window.end_us),
                )
                .group_by(t.c.seller_id)
            ):
                keep(sid, sp.first + bisect_right(sp.bounds, int(at)) - 1)
    return out

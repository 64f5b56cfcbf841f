"""A seller's metrics read from the live store's evidence items (STYLE 15: what time changes is
derived when read): the per-seller object of the `evaluate --format json` contract, with the
same keys, counts and rounding, for a window and an as-of instant.

Each item keeps its deadline; pending or late is decided here against `as_of`, and anything
that happened after `as_of` (a reply, a shipment, a cancellation) is not seen, as `evaluate`
sees only events up to as-of. `evaluate` (DuckDB, Spark) recomputes the same from the event
log and stays the reference (tests/helpdesk/test_live_parity.py keeps the two equal).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from servicenorm.access.errors import Invalid, NotFound
from servicenorm.access.principal import Principal, see_marketplace, work_seller
from servicenorm.clock import from_us, to_us
from servicenorm.helpdesk.directory import seller_row
from servicenorm.metrics.findings import findings
from servicenorm.metrics.window import Window, current_window
from servicenorm.policy import Policy
from servicenorm.policy.stored import policy_for
from servicenorm.store.items import CallItem, QuestionItem, ReviewItem, TurnItem
from servicenorm.store.orders import Order
from servicenorm.store.tenancy import Marketplace, Seller


def _rate(num: int, den: int, digits: int = 4) -> float | None:
    return round(num / den, digits) if den else None


def _status(deadline: datetime, replied: datetime | None, as_of: datetime) -> str:
    """SPEC R3.1: on time when answered at or before the deadline; late when answered after
    it, or unanswered with as-of past it; otherwise pending. A reply after as-of is unseen."""
    if replied is not None and replied > as_of:
        replied = None
    if replied is not None and replied <= deadline:
        return "on_time"
    if replied is not None or as_of > deadline:
        return "late"
    return "pending"


def _counts(statuses: Iterable[str]) -> dict[str, Any]:
    n = {"on_time": 0, "late": 0, "pending": 0}
    for st in statuses:
        n[st] += 1
    return {**n, "rate": _rate(n["on_time"], n["on_time"] + n["late"])}


class _Bounds:
    def __init__(self, window: Window) -> None:
        self.start, self.end = from_us(window.start_us), from_us(window.end_us)
        self.as_of = window.as_of
        # an instant counts when in [start, end) and seen by as-of
        self.last = min(from_us(window.end_us - 1), window.as_of)


def seller_metrics(
    conn: Connection, policy: Policy, sellers: Sequence[str], window: Window
) -> dict[str, dict[str, Any]]:
    """Each seller's metrics (contract order and keys); sellers of one marketplace."""
    b = _Bounds(window)
    out: dict[str, dict[str, Any]] = {}
    if not sellers:
        return out
    ids = list(sellers)
    q_rows = conn.execute(
        select(
            QuestionItem.seller_id,
            QuestionItem.received_at,
            QuestionItem.deadline,
            QuestionItem.first_reply_at,
        ).where(
            QuestionItem.seller_id.in_(ids),
            QuestionItem.received_at >= b.start,
            QuestionItem.received_at <= b.last,
        )
    ).all()
    t_rows = conn.execute(
        select(TurnItem.seller_id, TurnItem.deadline, TurnItem.replied_at).where(
            TurnItem.seller_id.in_(ids),
            TurnItem.received_at >= b.start,
            TurnItem.received_at <= b.last,
        )
    ).all()
    c_rows = conn.execute(
        select(CallItem.seller_id, CallItem.answered).where(
            CallItem.seller_id.in_(ids),
            CallItem.at >= b.start,
            CallItem.at <= b.last,
            CallItem.in_hours,
            CallItem.shop_closed.is_(False),
        )
    ).all()
    r_rows = conn.execute(
        select(ReviewItem.seller_id, ReviewItem.rating).where(
            ReviewItem.seller_id.in_(ids),
            ReviewItem.at >= b.start,
            ReviewItem.at <= b.last,
        )
    ).all()
    orders = _orders(conn, b, Order.seller_id.in_(ids))
    rates = _category_rates(conn, b, ids)

    weeks = window.iso_weeks()
    first: dict[str, list[str]] = defaultdict(list)
    weekly: dict[str, dict[str, int]] = defaultdict(lambda: {w[0]: 0 for w in weeks})
    for r in q_rows:
        st = _status(r.deadline, r.first_reply_at, b.as_of)
        first[r.seller_id].append(st)
        if st == "late":
            at = to_us(r.received_at)
            for name, lo, hi in weeks:
                if lo <= at < hi:
                    weekly[r.seller_id][name] += 1
    turns: dict[str, list[str]] = defaultdict(list)
    for tr in t_rows:
        turns[tr.seller_id].append(_status(tr.deadline, tr.replied_at, b.as_of))
    calls: dict[str, list[bool]] = defaultdict(list)
    for cr in c_rows:
        calls[cr.seller_id].append(bool(cr.answered))
    reviews: dict[str, list[int]] = defaultdict(list)
    for rr in r_rows:
        reviews[rr.seller_id].append(int(rr.rating))
    by_seller: dict[str, list[_Order]] = defaultdict(list)
    for o in orders:
        by_seller[o.seller_id].append(o)

    for s in ids:
        mine = by_seller.get(s, [])
        questions = sum(o.questions for o in mine)
        ship = [o.shipping(b.as_of) for o in mine]
        s_on = sum(1 for st, _ in ship if st == "on_time")
        s_late = sum(1 for st, _ in ship if st == "late")
        s_trk = sum(1 for st, trk in ship if st == "on_time" and trk)
        answered = calls.get(s, [])
        ratings = reviews.get(s, [])
        out[s] = {
            "first_response": _counts(first.get(s, [])),
            "message_response": _counts(turns.get(s, [])),
            "weekly_late": dict(weekly[s]) if s in weekly else {w[0]: 0 for w in weeks},
            "phone": None
            if policy.phone is None
            else {
                "attempts": len(answered),
                "answered": sum(answered),
                "rate": _rate(sum(answered), len(answered)),
            },
            "question_rate": {
                "orders": len(mine),
                "questions": questions,
                "rate": _rate(questions, len(mine)),
                "norm": round(sum(rates.get(o.category, 0.0) for o in mine) / len(mine), 4)
                if mine
                else None,
            },
            "shipping": {
                "on_time": s_on,
                "late": s_late,
                "pending": len(ship) - s_on - s_late,
                "on_time_with_tracking": s_trk,
                "rate_on_time": _rate(s_on, s_on + s_late),
                "rate_on_time_with_tracking": _rate(s_trk, s_on + s_late),
            },
            "reviews": {
                "count": len(ratings),
                "average": round(sum(ratings) / len(ratings), 2) if ratings else None,
            },
        }
    return out


class _Order:
    __slots__ = ("category", "questions", "seller_id", "ship_by", "shipped_at", "tracking")

    def __init__(self, row: Any, questions: int) -> None:
        self.seller_id: str = row.seller_id
        self.category: str = row.category
        self.ship_by: datetime = row.ship_by
        self.shipped_at: datetime | None = row.shipped_at
        self.tracking: str | None = row.tracking
        self.questions = questions

    def shipping(self, as_of: datetime) -> tuple[str, bool]:
        """(on_time | late | pending, has tracking) as of `as_of` (R3.5)."""
        shipped = self.shipped_at if self.shipped_at and self.shipped_at <= as_of else None
        tracked = shipped is not None and bool((self.tracking or "").strip())
        if shipped is not None and shipped <= self.ship_by:
            return "on_time", tracked
        if shipped is not None or as_of > self.ship_by:
            return "late", tracked
        return "pending", tracked


def _orders(conn: Connection, b: _Bounds, which: Any) -> list[_Order]:
    """Orders placed in the window and seen by as-of, not cancelled by as-of, with the number
    of questions (opened by as-of) that name each."""
    asked = (
        select(func.count())
        .where(QuestionItem.order_id == Order.id, QuestionItem.received_at <= b.as_of)
        .correlate(Order)
        .scalar_subquery()
    )
    rows = conn.execute(
        select(
            Order.seller_id,
            Order.category,
            Order.ship_by,
            Order.shipped_at,
            Order.tracking,
            asked.label("questions"),
        ).where(
            which,
            Order.placed_at >= b.start,
            Order.placed_at <= b.last,
            (Order.cancelled_at.is_(None)) | (Order.cancelled_at > b.as_of),
        )
    ).all()
    return [_Order(r, int(r.questions)) for r in rows]


def _category_rates(conn: Connection, b: _Bounds, sellers: list[str]) -> dict[str, float]:
    """Per category, questions per order over every seller of the sellers' marketplace."""
    markets = select(Seller.marketplace_id).where(Seller.id.in_(sellers)).distinct()
    peers = select(Seller.id).where(Seller.marketplace_id.in_(markets))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for o in _orders(conn, b, Order.seller_id.in_(peers)):
        t = totals[o.category]
        t[0] += o.questions
        t[1] += 1
    return {c: q / n for c, (q, n) in totals.items()}


# -- the API's view: one seller, or a marketplace's sellers a page at a time --------------------


def window_for(policy: Policy, start: date | None, end: date | None, as_of: datetime) -> Window:
    """The window asked for; by default the policy's current window (as `evaluate`)."""
    current = current_window(policy.window.days, policy.zone, as_of)
    to = end or current.end
    frm = start or to - timedelta(days=policy.window.days)
    try:
        return Window(frm, to, as_of, policy.zone)
    except ValueError as e:
        raise Invalid(str(e), "from") from None


def _report(
    policy: Policy, window: Window, metrics: dict[str, dict[str, Any]], seller: str
) -> dict[str, Any]:
    rep = {
        "preset": policy.name,
        "as_of": from_us(window.as_of_us).isoformat(),  # as evaluate writes it
        "window": {"from": window.start.isoformat(), "to": window.end.isoformat()},
        "sellers": {seller: metrics[seller]},
    }
    return {
        "seller": seller,
        "preset": policy.name,
        "window": rep["window"],
        "as_of": rep["as_of"],
        "metrics": metrics[seller],
        "findings": [
            {
                "norm": f.norm,
                "value": f.value,
                "threshold": f.threshold,
                "comparison": f.comparison,
                "detail": f.detail,
                "in_score": f.in_score,
                "reason": f.describe(),
            }
            for f in findings(rep, policy)
        ],
    }


def seller_performance(
    s: Session, p: Principal, seller_id: str, start: date | None, end: date | None, as_of: datetime
) -> dict[str, Any]:
    seller = seller_row(s, seller_id)
    work_seller(p, seller)
    market = s.get(Marketplace, seller.marketplace_id)
    assert market is not None  # foreign key
    policy = policy_for(market.preset)
    window = window_for(policy, start, end, as_of)
    metrics = seller_metrics(s.connection(), policy, [seller.id], window)
    return _report(policy, window, metrics, seller.id)


def marketplace_performance(
    s: Session,
    p: Principal,
    marketplace_id: str,
    start: date | None,
    end: date | None,
    as_of: datetime,
    limit: int,
    offset: int,
) -> tuple[int, list[dict[str, Any]]]:
    """(how many sellers, this page of their performance, by seller id)."""
    see_marketplace(p, marketplace_id)
    market = s.get(Marketplace, marketplace_id)
    if market is None:
        raise NotFound(f"marketplace {marketplace_id!r} not found")
    policy = policy_for(market.preset)
    window = window_for(policy, start, end, as_of)
    total = int(s.scalar(select(func.count()).where(Seller.marketplace_id == marketplace_id)) or 0)
    page = list(
        s.scalars(
            select(Seller.id)
            .where(Seller.marketplace_id == marketplace_id)
            .order_by(Seller.id)
            .limit(limit)
            .offset(offset)
        )
    )
    metrics = seller_metrics(s.connection(), policy, page, window)
    return total, [_report(policy, window, metrics, x) for x in page]

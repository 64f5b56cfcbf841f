"""A seller's evidence rows for one metric and window, read from the live store's items: what
the performance page's drill-down and dated plan show, with the keys the metric's item query
(`metrics.definitions`) gives `evaluate --items` (item, received or placed, replied, deadline,
working time taken, status), each judged as of the window's as-of from the stored deadline.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, select

from servicenorm.clock import to_us
from servicenorm.helpdesk.tally import Span, category_rates, shipping, status
from servicenorm.metrics.window import Window
from servicenorm.policy import Policy
from servicenorm.store.items import CallItem, QuestionItem, ReviewItem, TurnItem
from servicenorm.store.orders import Order


def _us(at: datetime | None) -> int | None:
    return None if at is None else to_us(at)


def _seen(at: datetime | None, as_of: datetime) -> datetime | None:
    return at if at is not None and at <= as_of else None


def rows(
    conn: Connection,
    policy: Policy,
    seller: str,
    country: str,
    metric: str,
    window: Window,
    *,
    rates: dict[str, float] | None = None,
) -> list[dict[str, Any]]:
    """The rows of `metric` for `seller` in `window` (unsorted); [] for a metric without items
    here (the holistic metrics are read by `evaluate`). `rates`: the marketplace's question
    rate per category for the window (`tally.category_rates`), read here when not given."""
    sp = Span(window)
    if metric in ("first_response", "message_response"):
        return _responses(conn, policy, seller, country, metric, sp)
    if metric == "phone":
        return _calls(conn, seller, sp)
    if metric == "reviews":
        return [
            {
                "seller": seller,
                "item": r.event_id,
                "order_id": r.order_id,
                "received": to_us(r.at),
                "rating": int(r.rating),
            }
            for r in conn.execute(
                select(ReviewItem).where(
                    ReviewItem.seller_id == seller,
                    ReviewItem.at >= sp.start,
                    ReviewItem.at <= sp.last,
                )
            )
        ]
    if metric in ("shipping", "question_rate"):
        return _orders(conn, seller, metric, sp, rates)
    return []


def rows_of(
    conn: Connection,
    policy: Policy,
    sellers: dict[str, str],
    metric: str,
    window: Window,
) -> dict[str, list[dict[str, Any]]]:
    """`rows` for several sellers (seller -> country) of one marketplace, the marketplace's
    category rates read once (enforcement's evidence of many findings)."""
    rates = (
        category_rates(conn, Span(window), list(sellers))
        if metric == "question_rate" and sellers
        else None
    )
    return {
        x: rows(conn, policy, x, country, metric, window, rates=rates)
        for x, country in sellers.items()
    }


def _responses(
    conn: Connection, policy: Policy, seller: str, country: str, metric: str, sp: Span
) -> list[dict[str, Any]]:
    if metric == "first_response":
        q = QuestionItem
        found = [
            (r.conversation_id, r.received_at, r.deadline, r.first_reply_at, r.first_reply_by)
            for r in conn.execute(
                select(
                    q.conversation_id, q.received_at, q.deadline, q.first_reply_at, q.first_reply_by
                ).where(q.seller_id == seller, q.received_at >= sp.start, q.received_at <= sp.last)
            )
        ]
    else:
        t = TurnItem
        found = [
            (r.conversation_id, r.received_at, r.deadline, r.replied_at, None)
            for r in conn.execute(
                select(t.conversation_id, t.received_at, t.deadline, t.replied_at).where(
                    t.seller_id == seller, t.received_at >= sp.start, t.received_at <= sp.last
                )
            )
        ]
    if not found:
        return []
    cal = policy.response_calendar(country)
    as_of = to_us(sp.as_of)
    received = np.array([to_us(x[1]) for x in found], dtype=np.int64)
    replied_at = [_seen(x[3], sp.as_of) for x in found]
    replied = np.array([as_of if r is None else to_us(r) for r in replied_at], dtype=np.int64)
    wt_reply = cal.working_us(received, replied)
    wt_as_of = cal.working_us(received, np.full(len(found), as_of, dtype=np.int64))
    out = []
    for i, (item, _received, deadline, _, by) in enumerate(found):
        out.append(
            {
                "seller": seller,
                "item": item,
                "received": int(received[i]),
                "replied": _us(replied_at[i]),
                "deadline": to_us(deadline),
                "wt_reply": int(wt_reply[i]) if replied_at[i] is not None else None,
                "wt_as_of": int(wt_as_of[i]),
                "status": status(deadline, replied_at[i], sp.as_of, by),
            }
        )
    return out


def _calls(conn: Connection, seller: str, sp: Span) -> list[dict[str, Any]]:
    out = []
    for r in conn.execute(
        select(CallItem).where(
            CallItem.seller_id == seller, CallItem.at >= sp.start, CallItem.at <= sp.last
        )
    ):
        st = (
            "outside_hours"
            if not r.in_hours
            else "shop_closed"
            if r.shop_closed
            else "answered"
            if r.answered
            else "missed"
        )
        out.append(
            {
                "seller": seller,
                "item": r.event_id,
                "received": to_us(r.at),
                "answered": bool(r.answered),
                "in_hours": bool(r.in_hours),
                "shop_closed": bool(r.shop_closed),
                "status": st,
            }
        )
    return out


def _orders(
    conn: Connection, seller: str, metric: str, sp: Span, rates: dict[str, float] | None
) -> list[dict[str, Any]]:
    found = conn.execute(
        select(Order).where(
            Order.seller_id == seller,
            Order.placed_at >= sp.start,
            Order.placed_at <= sp.last,
            (Order.cancelled_at.is_(None)) | (Order.cancelled_at > sp.as_of),
        )
    ).all()
    if metric == "shipping":
        out = []
        for o in found:
            st, tracked = shipping(o.ship_by, o.shipped_at, o.tracking, sp.as_of)
            shipped = _seen(o.shipped_at, sp.as_of)
            out.append(
                {
                    "seller": seller,
                    "item": o.id,
                    "placed": to_us(o.placed_at),
                    "ship_by": to_us(o.ship_by),
                    "shipped": _us(shipped),
                    "tracking": o.tracking if shipped is not None else None,
                    "scanned": _us(_seen(o.scanned_at, sp.as_of)),
                    "status": st,
                    "has_tracking": tracked,
                }
            )
        return out
    asked: dict[str, int] = {}
    if found:
        for oid in conn.scalars(
            select(QuestionItem.order_id).where(
                QuestionItem.order_id.in_([o.id for o in found]),
                QuestionItem.received_at <= sp.as_of,
            )
        ):
            asked[str(oid)] = asked.get(str(oid), 0) + 1
    if rates is None:
        rates = category_rates(conn, sp, [seller]) if found else {}
    return [
        {
            "seller": seller,
            "item": o.id,
            "category": o.category,
            "questions": asked.get(o.id, 0),
            "category_rate": rates.get(o.category),
            "placed": to_us(o.placed_at),
        }
        for o in found
    ]

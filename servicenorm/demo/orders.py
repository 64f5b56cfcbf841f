"""Orders and what follows them: shipping, carrier scans, delivery, cancellations, reviews, cases."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from servicenorm.demo.blocks import (
    Amount,
    Block,
    Body,
    Field,
    Instant,
    Int,
    Label,
    Ref,
    TextField,
    Tracking,
)
from servicenorm.demo.catalog import catalog
from servicenorm.demo.phrases import phrases
from servicenorm.demo.roster import CATEGORY_SHARES, Sellers
from servicenorm.demo.timing import after_working, lognormal_s, uniform_us
from servicenorm.demo.traffic import Grid, day_weights, draw

I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

ORDERS_PER_DAY = 2.85  # a seller of size 1 on an ordinary weekday
ORDER_BASE = 1_100_000_000  # order numbers look like a marketplace's ten-digit numbers
CASE_KINDS = ("not_received", "not_as_described", "return", "other")
RESOLUTIONS = ("seller", "platform")
BAD_RATINGS = np.array([0.3, 0.15, 0.2, 0.2, 0.15])  # after a late shipment or a case


@dataclass
class Orders:
    """The orders of one market, sorted by time; what conversations need to refer to them."""

    seller: I64
    at: I64
    number: I64
    buyer: I64
    language: I8

    def __len__(self) -> int:
        return int(self.at.shape[0])


def language_of(sellers: Sellers, seller: I64, rng: np.random.Generator) -> I8:
    u = rng.random(int(seller.shape[0]))
    out: I8 = (u[:, None] > sellers.languages[seller]).sum(axis=1).astype(np.int8)
    return out


def order_rates(sellers: Sellers, grid: Grid) -> F64:
    days = np.arange(grid.days)
    lam = np.empty((len(sellers), grid.days))
    weights = {c: day_weights("order", grid, c)[: grid.days] for c in set(sellers.country)}
    surge = sellers.param("surge")
    for i, c in enumerate(sellers.country):
        boost = np.where(days >= sellers.surge_day[i], surge[i], 1.0)
        lam[i] = (
            ORDERS_PER_DAY * sellers.size[i] * weights[c] * boost * (days >= sellers.first_day[i])
        )
    return lam


def rest_days(sellers: Sellers, grid: Grid) -> Bools:
    return (
        np.stack([grid.rest[c][: grid.days] for c in sellers.country])
        if len(sellers)
        else np.zeros((0, grid.days), dtype=bool)
    )


def make_orders(
    sellers: Sellers,
    grid: Grid,
    rng: np.random.Generator,
    zone: int,
    first_order: int,
    first_case: int,
    buyers: tuple[int, int],
) -> tuple[Orders, list[Block]]:
    market = sellers.market
    seller, day, at = draw("order", rng, order_rates(sellers, grid), grid, rest_days(sellers, grid))
    keep = ~sellers.in_closure(seller, at)  # a closed shop takes no orders
    seller, day, at = seller[keep], day[keep], at[keep]
    by_time = np.argsort(at, kind="stable")
    seller, day, at = seller[by_time], day[by_time], at[by_time]
    n = int(at.shape[0])
    number = ORDER_BASE + first_order + np.arange(n, dtype=np.int64)
    buyer = rng.integers(buyers[0], buyers[1], n)
    language = language_of(sellers, seller, rng)

    # what was bought, for how much, and when it must ship
    pick = (rng.random(n)[:, None] > CATEGORY_SHARES[None, :2]).sum(axis=1)
    category = sellers.categories[seller, pick]
    cats = market.categories
    price = np.array([c.price for c in cats])[category]
    cents = np.maximum(
        199, np.round(price * np.exp(0.6 * rng.standard_normal(n) - 0.18) * 100)
    ).astype(np.int64)
    currencies = sorted({market.currency_of(c) for c in sellers.country})
    currency = np.array(
        [currencies.index(market.currency_of(c)) for c in sellers.country], dtype=np.int32
    )[seller]
    handling = np.array([c.handling_days for c in cats], dtype=np.int64)[category]
    ship_day = np.empty(n, dtype=np.int64)
    for c in set(sellers.country):
        rows = np.flatnonzero(np.array(sellers.country)[seller] == c)
        ship_day[rows] = grid.business_day_after(c, day[rows], handling[rows])
    ship_by = grid.at(ship_day, np.full(n, 86_399, dtype=np.int64))  # the end of the promised day

    # the seller's handling: working time on its own calendar, slower in a surge
    prm = sellers.param
    in_surge = day >= sellers.surge_day[seller]
    slow = np.where(in_surge, prm("surge_slowdown")[seller], 1.0)
    delay = lognormal_s(
        rng,
        prm("ship_median_h")[seller] * 3600 * slow,
        prm("ship_sigma")[seller],
        n,
        300,
        15 * 9 * 3600,
    )
    shipped = after_working(sellers.calendars, sellers.work[seller], at, delay)
    closed = sellers.in_closure(seller, shipped)
    shipped[closed] = sellers.reopened[seller[closed]] + uniform_us(
        rng, 3600, 6 * 3600, int(closed.sum())
    )
    cancelled = rng.random(n) < prm("cancel")[seller]
    cancel_at = at + uniform_us(rng, 1800, 36 * 3600, n)
    cancelled &= cancel_at < shipped
    live = ~cancelled

    # marked shipped vs really shipped (the carrier's first scan)
    tracked = live & (rng.random(n) < prm("tracking")[seller])
    early = live & (rng.random(n) < np.maximum(prm("early_mark")[seller], 0.01))
    shipped[early] = at[early] + uniform_us(rng, 600, 2 * 3600, int(early.sum()))
    lag = np.where(
        early, uniform_us(rng, 30 * 3600, 96 * 3600, n), uniform_us(rng, 3600, 10 * 3600, n)
    )
    scanned = tracked & (rng.random(n) < 0.97)
    scan_at = shipped + lag
    carried = np.where(scanned, scan_at, shipped)
    delivered = live & np.where(scanned, True, rng.random(n) < np.where(tracked, 0.6, 0.85))
    deliver_at = carried + np.where(
        scanned,
        (lognormal_s(rng, 20 * 3600, 0.5, n, 4 * 3600, 10 * 86_400) * 1e6).astype(np.int64),
        uniform_us(rng, 24 * 3600, 100 * 3600, n),
    )
    late = live & (shipped > ship_by)

    # cases and reviews
    case = live & (rng.random(n) < prm("case")[seller] * np.where(late, 2.0, 1.0))
    kind = np.where(delivered, rng.choice(4, size=n, p=[0.15, 0.3, 0.45, 0.1]), 0).astype(np.int32)
    opened = np.where(
        delivered,
        deliver_at + uniform_us(rng, 3 * 3600, 6 * 86_400, n),
        ship_by + uniform_us(rng, 2 * 86_400, 8 * 86_400, n),
    )
    case_closed = case & (rng.random(n) < 0.88)
    closed_at = opened + (lognormal_s(rng, 2 * 86_400, 0.8, n, 2 * 3600, 30 * 86_400) * 1e6).astype(
        np.int64
    )
    resolution = (rng.random(n) >= prm("case_seller")[seller]).astype(np.int32)

    reviewed = delivered & (rng.random(n) < 0.22)
    review_at = deliver_at + (
        lognormal_s(rng, 3 * 86_400, 0.8, n, 2 * 3600, 30 * 86_400) * 1e6
    ).astype(np.int64)
    probs = np.array([p.ratings for p in sellers.profiles])[sellers.profile[seller]]
    probs = np.where((late | case)[:, None], BAD_RATINGS[None, :], probs)
    rating = 1 + (rng.random(n)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
    rating = np.minimum(rating, 5)
    pool = np.where(rating >= 4, 0, np.where(rating == 3, 1, 2))
    text_pre = np.zeros(n, dtype=np.int32)
    for k, name in enumerate(("review_pos", "review_neu", "review_neg")):
        rows = np.flatnonzero(pool == k)
        text_pre[rows] = phrases().pick(name, language[rows], rng)[0]
    with_text = rng.random(n) < 0.6

    carriers = list(catalog().carriers)
    carrier = np.array([carriers.index(c) for c in market.carriers], dtype=np.int32)[
        rng.integers(0, len(market.carriers), n)
    ]
    carrier[~tracked] = -1
    tracking_field = Tracking("tracking", carrier=carrier, serial=rng.integers(0, 10**15, n))
    tracking_field.present = tracked | (rng.random(n) < 0.5)  # no tracking: key missing or ""

    zones = np.full(n, zone, dtype=np.int8)
    order_ref = Ref("order", num=number)

    def sub(rows: Bools, type_: str, at_: I64, *fields: Field) -> Block:
        idx = np.flatnonzero(rows)
        return Block(type_, at_[idx], zones[idx], [f.take(idx) for f in (order_ref, *fields)])

    case_ids = first_case + np.cumsum(case) - 1
    case_ref = Ref("case", prefix="k", num=case_ids)
    blocks = [
        Block(
            "order_placed",
            at,
            zones,
            [
                order_ref,
                Label("seller", labels=tuple(sellers.ids), code=seller.astype(np.int32)),
                Ref("buyer", prefix="b", num=buyer),
                Instant("ship_by", us=ship_by),
                Label(
                    "category", labels=tuple(c.name for c in cats), code=category.astype(np.int32)
                ),
                Amount("amount", cents=cents),
                Label("currency", labels=tuple(currencies), code=currency),
            ],
        ),
        sub(cancelled, "order_cancelled", cancel_at),
        sub(live, "order_shipped", shipped, tracking_field),
        sub(scanned, "carrier_scan", scan_at),
        sub(delivered, "order_delivered", deliver_at),
        sub(
            reviewed,
            "review_posted",
            review_at,
            Int("rating", values=rating.astype(np.int64)),
            TextField(
                "text",
                body=Body.core(
                    text_pre, np.zeros(n, dtype=np.int32), np.full(n, -1, dtype=np.int64)
                ),
                present=with_text,
            ),
        ),
    ]
    idx = np.flatnonzero(case)
    blocks.append(
        Block(
            "case_opened",
            opened[idx],
            zones[idx],
            [
                case_ref.take(idx),
                order_ref.take(idx),
                Label("kind", labels=CASE_KINDS, code=kind[idx]),
            ],
        )
    )
    idx = np.flatnonzero(case_closed)
    blocks.append(
        Block(
            "case_closed",
            closed_at[idx],
            zones[idx],
            [case_ref.take(idx), Label("resolution", labels=RESOLUTIONS, code=resolution[idx])],
        )
    )
    return Orders(seller, at, number, buyer, language), blocks

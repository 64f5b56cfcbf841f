"""Seller-level events: registration, phone hours and calls, closures, absences, bills."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

from servicenorm.clock import WEEKDAYS, Calendar
from servicenorm.demo.blocks import Amount, Block, Bool, Day, Label, Nested, Ref
from servicenorm.demo.roster import NEVER, WIDE_PHONE_HOURS, Sellers
from servicenorm.demo.timing import lognormal_s, uniform_us
from servicenorm.demo.traffic import Grid, day_weights, draw
from servicenorm.demo.zoneclock import HOUR_US
from servicenorm.policy import Policy

I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

CALLS_PER_DAY = 1.0  # a seller of size 1 on an ordinary weekday
HOURS_TYPE = pa.struct([(d, pa.list_(pa.list_(pa.string()))) for d in WEEKDAYS])


def _seller(sellers: Sellers, rows: I64) -> Label:
    return Label("seller", labels=tuple(sellers.ids), code=rows.astype(np.int32))


def registrations(sellers: Sellers, zone: int) -> Block:
    n = len(sellers)
    rows = np.arange(n, dtype=np.int64)
    partner = sellers.partner
    linked = Nested(
        "linked_sellers",
        values=[[sellers.ids[int(p)]] for p in partner if p >= 0] or [[]],
        code=np.maximum(np.cumsum(partner >= 0) - 1, 0).astype(np.int32),
        present=partner >= 0,
        arrow_type=pa.list_(pa.string()),
    )
    countries = sorted(set(sellers.country))
    return Block(
        "seller_registered",
        sellers.registered,
        np.full(n, zone, dtype=np.int8),
        [
            _seller(sellers, rows),
            Label("marketplace", labels=(sellers.market.name,), code=np.zeros(n, dtype=np.int32)),
            Label(
                "country",
                labels=tuple(countries),
                code=np.array([countries.index(c) for c in sellers.country], dtype=np.int32),
            ),
            linked,
        ],
    )


def phone_hours(sellers: Sellers, zone: int) -> Block:
    rows = np.flatnonzero(sellers.phone_hours >= 0)
    full = [{d: h.get(d, []) for d in WEEKDAYS} for h in WIDE_PHONE_HOURS]
    hours = Nested(
        "hours",
        values=list(WIDE_PHONE_HOURS),
        arrow_values=full,
        code=sellers.phone_hours[rows],
        arrow_type=HOURS_TYPE,
    )
    return Block(
        "phone_hours_set",
        sellers.phone_set[rows],
        np.full(rows.size, zone, dtype=np.int8),
        [_seller(sellers, rows), hours],
    )


def calls(
    sellers: Sellers, grid: Grid, policy: Policy, rng: np.random.Generator, zone: int, rest: Bools
) -> Block:
    """Buyers call in office hours; a call in the seller's phone hours is mostly answered."""
    days = np.arange(grid.days)
    lam = np.empty((len(sellers), grid.days))
    weights = {c: day_weights("call", grid, c)[: grid.days] for c in set(sellers.country)}
    for i, c in enumerate(sellers.country):
        lam[i] = (
            CALLS_PER_DAY * np.sqrt(sellers.size[i]) * weights[c] * (days >= sellers.first_day[i])
        )
    seller, _, at = draw("call", rng, lam, grid, rest)
    closed = sellers.in_closure(seller, at)
    keep = ~closed | (rng.random(at.shape[0]) < 0.1)  # the number is hidden while closed (R3.4)
    seller, at, closed = seller[keep], at[keep], closed[keep]

    in_hours = np.zeros(at.shape[0], dtype=bool)
    country = np.array(sellers.country)[seller]
    widened = (sellers.phone_hours[seller] >= 0) & (at >= sellers.phone_set[seller])
    for c in set(sellers.country):
        default = policy.phone_calendar(c)
        rows = np.flatnonzero((country == c) & ~widened)
        in_hours[rows] = default.is_open_us(at[rows])
        for k, hours in enumerate(WIDE_PHONE_HOURS):
            rows = np.flatnonzero((country == c) & widened & (sellers.phone_hours[seller] == k))
            if rows.size:
                cal = Calendar.from_hours(
                    default.zone_name, hours, holiday_sets=default.holiday_sets, name="demo phone"
                )
                in_hours[rows] = cal.is_open_us(at[rows])
    p = sellers.param("call_answer")[seller]
    answered = rng.random(at.shape[0]) < np.where(closed, 0.05, np.where(in_hours, p, 0.25 * p))
    return Block(
        "call_attempt",
        at,
        np.full(at.shape[0], zone, dtype=np.int8),
        [_seller(sellers, seller), Bool("answered", values=answered)],
    )


def closures(sellers: Sellers, grid: Grid, zone: int) -> list[Block]:
    rows = np.flatnonzero(sellers.closed != NEVER)
    zones = np.full(rows.size, zone, dtype=np.int8)
    first, announced = sellers.absence[1], sellers.absence[0]
    ann = np.flatnonzero(announced >= 0)
    epoch_day = grid.start.toordinal() - 719_163  # date(1970, 1, 1).toordinal() == 719_163
    return [
        Block("shop_closed", sellers.closed[rows], zones, [_seller(sellers, rows)]),
        Block("shop_reopened", sellers.reopened[rows], zones, [_seller(sellers, rows)]),
        Block(
            "absence_announced",
            announced[ann],
            np.full(ann.size, zone, dtype=np.int8),
            [
                _seller(sellers, ann),
                Day("start", day=epoch_day + first[ann]),
                Day("end", day=epoch_day + sellers.absence[2][ann]),
            ],
        ),
    ]


def bills(
    sellers: Sellers, grid: Grid, rng: np.random.Generator, zone: int, first_bill: int
) -> tuple[list[Block], int]:
    """A monthly commission bill per seller, due in 14 days; some paid late or not at all."""
    n = len(sellers)
    first = rng.integers(0, min(grid.days, 28), n) if n else np.zeros(0, dtype=np.int64)
    per_seller = grid.days // 30 + 1
    seller = np.repeat(np.arange(n, dtype=np.int64), per_seller)
    day = first[seller] + 30 * np.tile(np.arange(per_seller), n)
    keep = (day < grid.days) & (day >= sellers.first_day[seller])
    seller, day = seller[keep], day[keep]
    m = seller.size
    issued = grid.midnight[day] + 6 * HOUR_US + uniform_us(rng, 0, 1800, m)
    due_day = day + 14
    cents = (lognormal_s(rng, 80.0 * sellers.size[seller], 0.7, m, 5, 50_000) * 100).astype(
        np.int64
    )
    late = rng.random(m) < sellers.param("bill_late")[seller]
    paid = ~late | (rng.random(m) < 0.5)
    paid_at = np.where(
        late,
        grid.midnight[np.minimum(due_day, grid.span - 1)] + uniform_us(rng, 86_400, 20 * 86_400, m),
        issued + uniform_us(rng, 86_400, 13 * 86_400, m),
    )
    market = sellers.market
    currencies = sorted({market.currency_of(c) for c in sellers.country})
    currency = Label(
        "currency",
        labels=tuple(currencies),
        code=np.array(
            [currencies.index(market.currency_of(c)) for c in sellers.country], dtype=np.int32
        )[seller],
    )
    bill = Ref("bill", prefix="bill-", num=first_bill + np.arange(m, dtype=np.int64))
    zones = np.full(m, zone, dtype=np.int8)
    epoch_day = grid.start.toordinal() - 719_163
    fields = [bill, _seller(sellers, seller), Amount("amount", cents=cents), currency]
    idx = np.flatnonzero(paid)
    return [
        Block("bill_issued", issued, zones, [*fields, Day("due", day=epoch_day + due_day)]),
        Block("bill_paid", paid_at[idx], zones[idx], [f.take(idx) for f in fields]),
    ], m


__all__ = ["bills", "calls", "closures", "phone_hours", "registrations"]

"""A quarter (5 January - 6 April 2026) of three marketplaces, for the end-to-end test.

Each marketplace has demo sellers from `servicenorm.demo` as background and sellers written
here whose behaviour follows one path of the seeds, so the test can say exactly what must
happen to them:

etsy:  star (earns the Star Seller), biller (overdue bill, pays), link-a/link-b (linked shops;
       an operator suspends link-a), slowpoke (late shipping and replies: the whole ladder),
       newbie (a new shop with many complaints), terms (badge removed for 90 days), fader
       (stops adding tracking: loses the badge on the criteria)
bol:   snel (fine), traag (slow until March, then fast), piek (one bad week), vrager (many
       questions per order)
swop:  ghost (leaves some questions unanswered), fake (a conformity dispute), away (announces
       a long absence too late, no staff), planned (announces in time, has staff)
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

START = date(2026, 1, 5)
END = date(2026, 4, 6)
UTC = ZoneInfo("UTC")
AMS = ZoneInfo("Europe/Amsterdam")


def ev(type_: str, id_: str, at: datetime, **fields: Any) -> dict[str, Any]:
    return {"id": id_, "type": type_, "at": at.isoformat(), **fields}


@dataclass
class Shop:
    id: str
    market: str
    zone: ZoneInfo
    country: str = "NL"
    registered: date = date(2024, 6, 1)
    linked: list[str] = field(default_factory=list)
    orders_per_day: int = 1
    amount: str = "40.00"
    currency: str = "USD"
    category: str = "home"
    ship_hours: float = 4.0
    late_ship_every: int = 0  # every n-th order ships after its ship-by
    tracking_until: date | None = None  # no tracking on orders from this date
    rating: int = 5
    questions_per_day: int = 1  # on weekdays
    reply_minutes: float = 60.0
    late_reply_every: int = 0  # every n-th question answered after 3 days
    late_until: date | None = None  # late replies only before this date
    no_reply_every: int = 0  # every n-th question never answered
    questions_on_orders: bool = False  # each order gets a question about it
    cases: dict[date, str] = field(default_factory=dict)  # day -> case kind, on that day's order
    reply_author: str = "seller"


def shop_events(sh: Shop, rng: random.Random) -> list[dict[str, Any]]:
    p = f"{sh.market}-{sh.id}"
    out = [
        ev(
            "seller_registered",
            f"{p}-reg",
            datetime.combine(sh.registered, time(9), sh.zone),
            seller=sh.id,
            marketplace=sh.market,
            country=sh.country,
            linked_sellers=sh.linked,
        )
    ]
    d = max(START, sh.registered)
    n_order = n_q = 0
    while d < END:
        for k in range(sh.orders_per_day):
            n_order += 1
            oid = f"{p}-o{n_order}"
            placed = datetime.combine(d, time(10, 0), sh.zone) + timedelta(minutes=7 * k)
            ship_by = placed + timedelta(hours=48)
            late = sh.late_ship_every and n_order % sh.late_ship_every == 0
            shipped = placed + timedelta(hours=60 if late else sh.ship_hours)
            tracked = sh.tracking_until is None or d < sh.tracking_until
            out += [
                ev(
                    "order_placed",
                    oid,
                    placed,
                    order=oid,
                    seller=sh.id,
                    buyer=f"{p}-b{n_order % 40}",
                    ship_by=ship_by.isoformat(),
                    category=sh.category,
                    amount=sh.amount,
                    currency=sh.currency,
                ),
                ev(
                    "order_shipped",
                    f"{oid}-s",
                    shipped,
                    order=oid,
                    tracking=f"TRK{n_order:06d}" if tracked else "",
                ),
                ev("carrier_scan", f"{oid}-c", shipped + timedelta(hours=2), order=oid),
                ev("order_delivered", f"{oid}-d", shipped + timedelta(days=2), order=oid),
            ]
            if n_order % 2 == 0:
                out.append(
                    ev(
                        "review_posted",
                        f"{oid}-r",
                        shipped + timedelta(days=3),
                        order=oid,
                        rating=sh.rating,
                    )
                )
            if k == 0 and d in sh.cases:
                out.append(
                    ev(
                        "case_opened",
                        f"{oid}-k",
                        placed + timedelta(days=1),
                        case=f"{oid}-k",
                        order=oid,
                        kind=sh.cases[d],
                    )
                )
            if sh.questions_on_orders:
                n_q += 1
                out += _question(
                    sh, p, n_q, placed + timedelta(hours=1), oid, f"{p}-b{n_order % 40}", rng
                )
        if d.weekday() < 5:
            for j in range(sh.questions_per_day):
                n_q += 1
                at = datetime.combine(d, time(11, 0), sh.zone) + timedelta(minutes=13 * j)
                out += _question(sh, p, n_q, at, None, f"{p}-q{n_q % 50}", rng)
        d += timedelta(days=1)
    return out


def _question(
    sh: Shop, p: str, n: int, at: datetime, order: str | None, buyer: str, rng: random.Random
) -> list[dict[str, Any]]:
    cid = f"{p}-c{n}"
    body = "Is this still available?"
    q = ev(
        "question_opened",
        f"{cid}-q",
        at,
        conversation=cid,
        seller=sh.id,
        buyer=buyer,
        origin="buyer",
        body=body,
        **({"order": order} if order else {}),
    )
    if sh.no_reply_every and n % sh.no_reply_every == 0:
        return [q]
    late = (
        sh.late_reply_every
        and n % sh.late_reply_every == 0
        and (sh.late_until is None or at.date() < sh.late_until)
    )
    delay = (
        timedelta(days=3) if late else timedelta(minutes=sh.reply_minutes * rng.uniform(0.5, 1.5))
    )
    return [
        q,
        ev(
            "message_sent",
            f"{cid}-a",
            at + delay,
            conversation=cid,
            author=sh.reply_author,
            body="Yes, it ships tomorrow.",
        ),
    ]


def etsy_shops() -> list[Shop]:
    base = {"market": "etsy", "zone": UTC}
    return [
        Shop("star", country="US", **base),  # type: ignore[arg-type]
        Shop("biller", country="GB", **base),  # type: ignore[arg-type]
        Shop("link-a", country="PL", linked=["link-b"], **base),  # type: ignore[arg-type]
        Shop("link-b", country="PL", **base),  # type: ignore[arg-type]
        Shop("slowpoke", country="DE", late_ship_every=2, late_reply_every=2, rating=3, **base),  # type: ignore[arg-type]
        Shop(
            "newbie",
            country="FR",
            registered=date(2026, 2, 16),
            rating=4,
            cases={
                date(2026, 2, 16) + timedelta(days=2 * i): "not_as_described" for i in range(10)
            },
            **base,
        ),  # type: ignore[arg-type]
        Shop("terms", country="NL", **base),  # type: ignore[arg-type]
        Shop("fader", country="US", tracking_until=date(2026, 2, 1), **base),  # type: ignore[arg-type]
    ]


def bol_shops() -> list[Shop]:
    base = {
        "market": "bol",
        "zone": AMS,
        "currency": "EUR",
        "category": "phones",
        "amount": "25.00",
    }
    return [
        Shop("snel", questions_per_day=2, reply_minutes=30, **base),  # type: ignore[arg-type]
        Shop("traag", questions_per_day=2, late_reply_every=3, late_until=date(2026, 3, 1), **base),  # type: ignore[arg-type]
        Shop("piek", country="BE", questions_per_day=10, reply_minutes=20, **base),  # type: ignore[arg-type]
        Shop("vrager", orders_per_day=2, questions_per_day=0, questions_on_orders=True, **base),  # type: ignore[arg-type]
    ]


def piek_bad_week() -> list[dict[str, Any]]:
    """Tuesday 10 February 2026 (ISO week 7): 14 extra questions answered three days later."""
    out = []
    for i in range(14):
        at = datetime(2026, 2, 10, 9, 30, tzinfo=AMS) + timedelta(minutes=i)
        cid = f"bol-piek-rush{i}"
        out += [
            ev(
                "question_opened",
                f"{cid}-q",
                at,
                conversation=cid,
                seller="piek",
                buyer=f"rush{i}",
                origin="buyer",
                body="Waar blijft mijn pakket?",
            ),
            ev(
                "message_sent",
                f"{cid}-a",
                at + timedelta(days=3),
                conversation=cid,
                author="seller",
                body="Excuses!",
            ),
        ]
    return out


def swop_shops() -> list[Shop]:
    base = {
        "market": "swopify",
        "zone": AMS,
        "currency": "EUR",
        "category": "phones",
        "amount": "250.00",
    }
    return [
        Shop("ghost", country="PL", no_reply_every=5, orders_per_day=0, **base),  # type: ignore[arg-type]
        Shop("fake", country="DE", cases={date(2026, 2, 10): "not_as_described"}, **base),  # type: ignore[arg-type]
        Shop("away", country="NL", orders_per_day=0, **base),  # type: ignore[arg-type]
        Shop("planned", country="NL", reply_author="staff", orders_per_day=0, **base),  # type: ignore[arg-type]
    ]


def swop_extra() -> list[dict[str, Any]]:
    return [
        # 9-20 March: ten working days, announced one week ahead (two are required)
        ev(
            "absence_announced",
            "swopify-away-abs",
            datetime(2026, 3, 2, 9, tzinfo=AMS),
            seller="away",
            start="2026-03-09",
            end="2026-03-20",
        ),
        # 2-13 March, announced four weeks ahead
        ev(
            "absence_announced",
            "swopify-planned-abs",
            datetime(2026, 2, 2, 9, tzinfo=AMS),
            seller="planned",
            start="2026-03-02",
            end="2026-03-13",
        ),
    ]


def etsy_extra() -> list[dict[str, Any]]:
    return [
        ev(
            "bill_issued",
            "etsy-bill-1",
            datetime(2026, 2, 3, 9, tzinfo=UTC),
            bill="B-1",
            seller="biller",
            amount="18.40",
            currency="USD",
            due="2026-02-10",
        ),
        ev(
            "bill_paid",
            "etsy-bill-1-paid",
            datetime(2026, 2, 20, 14, tzinfo=UTC),
            bill="B-1",
            seller="biller",
            amount="18.40",
            currency="USD",
        ),
    ]


def without_replies_during(
    events: list[dict[str, Any]], seller: str, first: date, last: date
) -> list[dict[str, Any]]:
    """The away seller answers nothing while away (the platform covers)."""
    conv_seller = {e["conversation"]: e["seller"] for e in events if e["type"] == "question_opened"}
    out = []
    for e in events:
        if (
            e["type"] == "message_sent"
            and conv_seller.get(e["conversation"]) == seller
            and first <= datetime.fromisoformat(e["at"]).astimezone(AMS).date() <= last
        ):
            continue
        out.append(e)
    return out


def prefixed(events: list[dict[str, Any]], market: str) -> list[dict[str, Any]]:
    """Demo events with ids unique across marketplaces."""
    keys = ("id", "conversation", "order", "case", "bill", "buyer")
    out = []
    for e in events:
        e = dict(e)
        for k in keys:
            if k in e and isinstance(e[k], str):
                e[k] = f"{market}~{e[k]}"
        out.append(e)
    return out


def market_events(market: str, demo_sellers: int, seed: int = 7) -> list[dict[str, Any]]:
    from servicenorm.demo import generate_events

    rng = random.Random(seed)
    shops = {"etsy": etsy_shops, "bol": bol_shops, "swopify": swop_shops}[market]()
    events: list[dict[str, Any]] = []
    for sh in shops:
        events += shop_events(sh, rng)
    events += {"etsy": etsy_extra, "bol": piek_bad_week, "swopify": swop_extra}[market]()
    if market == "swopify":
        events = without_replies_during(events, "away", date(2026, 3, 9), date(2026, 3, 20))
    if demo_sellers:
        demo = list(
            generate_events(demo_sellers, (END - START).days, preset=market, seed=seed, start=START)
        )
        events += prefixed(demo, market)
    events.sort(key=lambda e: (datetime.fromisoformat(e["at"]), e["id"]))
    return events

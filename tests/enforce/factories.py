"""Factories for enforcement tests: a migrated store, marketplaces, sellers, crafted reports."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from servicenorm.store.db import make_engine, make_session_factory
from servicenorm.store.tables import Account, Marketplace, Seller
from tests.migrated import migrated_sqlite

UTC_ = "UTC"


def migrated(tmp: Path) -> tuple[Engine, sessionmaker[Session]]:
    """A SQLite store with every migration branch applied (`upgrade heads`; a copy of the one
    migrated store of this test process, see tests/migrated.py)."""
    engine = make_engine(migrated_sqlite(tmp / "store.db"))
    return engine, make_session_factory(engine)


@contextmanager
def store(tmp: Path) -> Iterator[sessionmaker[Session]]:
    engine, sessions = migrated(tmp)
    try:
        yield sessions
    finally:
        engine.dispose()


def market(s: Session, id: str, preset: str, at: datetime) -> Marketplace:
    m = Marketplace(id=id, preset=preset, title=id, created_at=at)
    s.add(m)
    s.flush()
    return m


def seller(
    s: Session,
    id: str,
    market_id: str,
    at: datetime,
    *,
    country: str = "NL",
    linked: list[str] | None = None,
    email: bool = True,
    staff: bool = False,
) -> Seller:
    row = Seller(
        id=id,
        marketplace_id=market_id,
        name=f"Shop {id}",
        country=country,
        linked_sellers=linked or [],
        registered_at=at,
        proactive_enabled=False,
        closed=False,
    )
    s.add(row)
    s.flush()
    if email:
        s.add(
            Account(
                id=f"acc-{id}",
                role="seller",
                name=id,
                email=f"{id}@sellers.example",
                seller_id=id,
                active=True,
                created_at=at,
            )
        )
    if staff:
        s.add(
            Account(
                id=f"staff-{id}",
                role="staff",
                name=f"staff {id}",
                email=None,
                seller_id=id,
                active=True,
                created_at=at,
            )
        )
    s.flush()
    return row


def _counts(rate: float | None, n: int) -> tuple[int, int]:
    """(good, total) whose contract rate is `rate`: over `n` items where that is exact."""
    if rate is None:
        return 0, 0
    for total in (n, 10_000):
        good = round(rate * total)
        if total and round(good / total, 4) == rate:
            return good, total
    raise ValueError(f"no counts give the rate {rate}")


def entry(
    *,
    fr: float | None = 1.0,
    fr_n: int = 20,
    weekly: dict[str, int] | None = None,
    phone: float | None = None,
    orders: int = 20,
    questions: int = 2,
    norm: float | None = 0.1,
    ship: float | None = 1.0,
    track: float | None = 1.0,
    reviews: float | None = 5.0,
    cases: int = 0,
    tenure: int = 400,
    surge: bool = False,
) -> dict[str, Any]:
    """One seller's report entry in the contract's shape (plus the extended keys). Counts agree
    with the rates as the contract has them (rate = round(good / total, 4)): `fr_n` items
    where that gives the rate exactly, else 10,000; no items for a rate of None."""
    on, fr_total = _counts(fr, fr_n)
    answered, attempts = _counts(phone, 20)
    s_on, s_total = _counts(ship, orders)
    s_trk, t_total = _counts(track, s_total or orders)
    if ship is not None and track is not None and t_total != s_total:  # one shipping total
        s_on, s_total = _counts(ship, t_total)
        s_trk, t_total = _counts(track, s_total)
    total = s_total or t_total
    return {
        "first_response": {"on_time": on, "late": fr_total - on, "pending": 0, "rate": fr},
        "message_response": {"on_time": on, "late": fr_total - on, "pending": 0, "rate": fr},
        "weekly_late": weekly or {},
        "phone": None
        if phone is None
        else {"attempts": attempts, "answered": answered, "rate": phone},
        "question_rate": {
            "orders": orders,
            "questions": questions,
            "rate": round(questions / orders, 4) if orders else None,
            "norm": norm,
        },
        "shipping": {
            "on_time": s_on if ship is not None else total,
            "late": total - s_on if ship is not None else 0,
            "pending": 0,
            "on_time_with_tracking": s_trk,
            "rate_on_time": ship,
            "rate_on_time_with_tracking": track,
        },
        "reviews": {"count": 10, "average": reviews},
        "cases": {
            "cases": cases,
            "per_order": round(cases / orders, 4) if orders else None,
            "not_as_described": 0,
            "closed_without_seller": 0,
        },
        "tenure_days": tenure,
        "surge": {"last_7_days": 0, "weekly_normal": 0.0, "ratio": None, "surge": surge},
        "shipping_flags": {"marked_before_scan": 0},
    }


def report(
    preset: str, as_of: datetime, window_days: int, sellers: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    to = as_of.date()
    return {
        "preset": preset,
        "as_of": as_of.isoformat(),
        "window": {"from": (to - timedelta(days=window_days)).isoformat(), "to": to.isoformat()},
        "sellers": sellers,
    }


def day(d: str) -> date:
    return date.fromisoformat(d)


def operator() -> Any:
    from servicenorm.access.principal import Principal

    return Principal(account_id="op-1", role="operator", name="operator")


def agent(s: Session, at: datetime, id: str = "agent-1") -> Any:
    from servicenorm.access.principal import Principal

    if s.get(Account, id) is None:
        s.add(Account(id=id, role="agent", name=id, email=None, active=True, created_at=at))
        s.flush()
    return Principal(account_id=id, role="agent", name=id)


def ingest(s: Session, events: list[dict[str, Any]], now: datetime) -> None:
    """Feed contract events through the helpdesk's own ingest (conversations get deadlines)."""
    from servicenorm.helpdesk.ingest import ingest_many

    rep = ingest_many(s, operator(), list(enumerate(events, start=1)), now)
    assert not rep.errors, rep.errors[:3]


def live() -> Any:
    """The live store's readers the server gives its scheduled evaluations
    (`Container.live_store`)."""
    from servicenorm.enforce.live_period import LiveStore
    from servicenorm.helpdesk import evidence_rows
    from servicenorm.helpdesk.tally import seller_metrics

    return LiveStore(seller_metrics, evidence_rows.rows_of)


def ev(type_: str, id_: str, at_: datetime, /, **fields: Any) -> dict[str, Any]:
    return {"id": id_, "type": type_, "at": at_.isoformat(), **fields}

"""The writer moves the aggregates by differences (`projection.deltas`), never by counting a
day again, and what it keeps equals counting every item from scratch (`aggregates.rebuild`)
after every event: a reply that arrives after a later message (the first reply and the turns
move), a phone-hours change or a closure that arrives after the calls it judges, a
cancellation after shipping (and an earlier one after it), a second, earlier shipment, the
same events again, and a seller registered again in another country (its open deadlines move,
so a later reply is late by the new calendar). Each event is its own transaction, so every
difference is taken against what the store holds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from servicenorm.helpdesk import ingest
from servicenorm.helpdesk.projection import deltas
from servicenorm.helpdesk.projection.aggregates import rebuild
from servicenorm.store.base import Base
from servicenorm.store.db import make_engine, make_session_factory
from tests.helpdesk.test_projection import OP
from tests.integration.conftest import new_database

NOW = datetime(2026, 4, 30, 12, 0, tzinfo=UTC)
DAYS = ("question_days", "turn_days", "call_days", "review_days", "order_days")
T = "2026-04-{}:00+02:00"  # a Tuesday the 21st, Europe/Amsterdam (bol's zone)


def ev(id: str, type: str, at: str, **fields: object) -> dict[str, object]:
    return {"id": id, "type": type, "at": T.format(at), **fields}


REG = ev("reg", "seller_registered", "20T08:00", seller="s1", marketplace="bol", country="NL")


def ask(id: str, at: str, conv: str, order: str | None = None) -> dict[str, object]:
    extra = {"order": order} if order else {}
    return ev(
        id,
        "question_opened",
        at,
        seller="s1",
        buyer="b1",
        conversation=conv,
        origin="buyer",
        body="?",
        **extra,
    )


def say(id: str, at: str, conv: str, author: str = "seller") -> dict[str, object]:
    return ev(id, "message_sent", at, conversation=conv, author=author, body="!")


def order(id: str, at: str, category: str = "books") -> dict[str, object]:
    return ev(
        id,
        "order_placed",
        at,
        order=id,
        seller="s1",
        buyer="b1",
        ship_by=T.format("22T17:00"),
        category=category,
        amount="10.00",
        currency="EUR",
    )


@pytest.fixture
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated store: SQLite, or PostgreSQL where a test asks for it (indirect)."""
    backend = getattr(request, "param", "sqlite")
    e = make_engine(new_database(str(backend), request, tmp_path))
    yield e
    e.dispose()


def _rows(c: Any, table: str) -> list[tuple[Any, ...]]:
    t = Base.metadata.tables[table]
    return [tuple(r) for r in c.execute(select(t).order_by(*t.primary_key.columns))]


def _kept_equals_rebuilt(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as c:
        kept = {t: _rows(c, t) for t in DAYS}
        market = _rows(c, "market_order_days")
        rebuild(c)
        again = {t: _rows(c, t) for t in DAYS}
        market_again = _rows(c, "market_order_days")
        c.rollback()
    assert kept == again
    assert [r[:5] for r in market] == [r[:5] for r in market_again]
    assert all(a[5] >= b[5] for a, b in zip(market, market_again, strict=True))
    return kept


def _one_by_one(engine: Engine, events: list[dict[str, object]]) -> dict[str, Any]:
    """Each event in its own transaction, the aggregates checked after each (on PostgreSQL,
    slower per statement, at the end)."""
    sessions = make_session_factory(engine)
    every = engine.dialect.name == "sqlite"
    for e in events:
        with sessions() as s:
            report = ingest.ingest_many(s, OP, [(1, e)], NOW)
            s.commit()
        assert not report.errors, report.errors
        if every:
            _kept_equals_rebuilt(engine)
    return _kept_equals_rebuilt(engine)


@pytest.fixture
def recounted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The kinds of the buckets counted again (a fact taken away), in order."""
    seen: list[str] = []
    real = deltas.recount

    def spy(conn: Any, kind: str, *a: Any, **k: Any) -> None:
        seen.append(kind)
        real(conn, kind, *a, **k)

    monkeypatch.setattr(deltas, "recount", spy)
    return seen


def test_a_reply_arriving_after_a_later_message_moves_the_first_reply_and_the_turns(
    engine: Engine, recounted: list[str]
) -> None:
    kept = _one_by_one(
        engine,
        [
            REG,
            ask("q1", "21T09:00", "c1"),
            say("b2", "21T11:00", "c1", author="buyer"),
            say("r3", "21T12:00", "c1"),  # answers the question's turn, on time
            say("r1", "21T10:00", "c1"),  # earlier: now the first reply; b2 opens a new turn
            say("r0", "20T23:00", "c1"),  # before the question: answers nothing
        ],
    )
    assert [r[2:4] for r in kept["question_days"]] == [(1, 0)]
    assert [r[2:4] for r in kept["turn_days"]] == [(2, 0)]
    assert "question" in recounted  # its latest fact (the reply at 12:00) moved earlier


def test_late_phone_hours_and_a_closure_judge_the_stored_calls_again(
    engine: Engine, recounted: list[str]
) -> None:
    calls = [
        ev(f"call{i}", "call_attempt", at, seller="s1", answered=i % 2 == 0)
        for i, at in enumerate(["21T10:00", "21T14:00", "21T16:30", "22T10:00"])
    ]
    hours = ev(
        "hours", "phone_hours_set", "21T00:00", seller="s1", hours={"tue": [["09:00", "12:00"]]}
    )
    closed = ev("closed", "shop_closed", "22T08:00", seller="s1")
    opened = ev("opened", "shop_reopened", "22T09:00", seller="s1")
    kept = _one_by_one(engine, [REG, *calls, hours, closed, opened])
    assert [r[2:4] for r in kept["call_days"]] == [(1, 1)]  # only 10:00 in the new hours
    assert "call" in recounted


# every kind of statement the differences use (upserts of seller and marketplace rows, the
# recount after a fact went, the questions of a cancelled order) on PostgreSQL too
@pytest.mark.parametrize("engine", ["sqlite", "postgresql"], indirect=True)
def test_a_cancellation_after_shipping_takes_the_order_and_its_questions_away(
    engine: Engine, recounted: list[str]
) -> None:
    kept = _one_by_one(
        engine,
        [
            REG,
            order("o1", "21T09:00"),
            order("o2", "21T09:30"),
            ask("q1", "21T10:00", "c1", order="o1"),
            ask("q2", "21T10:30", "c2", order="o1"),
            ev("s1", "order_shipped", "21T15:00", order="o1", tracking="T1"),
            ev("s2", "order_shipped", "23T15:00", order="o2"),
            ev("s2b", "order_shipped", "22T11:00", order="o2", tracking="T2"),  # earlier
            ev("x1", "order_cancelled", "22T09:00", order="o1"),
            ev("x0", "order_cancelled", "21T20:00", order="o1"),  # earlier still
            ev("rv", "review_posted", "23T10:00", order="o2", rating=4),
        ],
    )
    # o1 cancelled: counted nowhere; o2 shipped on time with tracking by its earlier shipment
    assert [r[3:8] for r in kept["order_days"]] == [(1, 0, 1, 1, 0)]
    assert [r[2:4] for r in kept["review_days"]] == [(1, 4)]
    assert recounted.count("order") == 2  # the earlier shipment, the earlier cancellation


def test_the_same_events_again_change_nothing(engine: Engine, recounted: list[str]) -> None:
    events = [
        REG,
        order("o1", "21T09:00"),
        ask("q1", "21T10:00", "c1", order="o1"),
        say("r1", "21T10:30", "c1"),
        ev("call", "call_attempt", "21T10:00", seller="s1", answered=True),
        ev("rv", "review_posted", "23T10:00", order="o1", rating=5),
    ]
    first = _one_by_one(engine, events)
    sessions = make_session_factory(engine)
    with sessions() as s:
        report = ingest.ingest_many(s, OP, list(enumerate(events, start=1)), NOW)
        s.commit()
    assert report.duplicates == len(events)
    assert _kept_equals_rebuilt(engine) == first and not recounted


def test_a_seller_registered_again_is_judged_by_the_new_calendar(
    engine: Engine, recounted: list[str]
) -> None:
    t = "2026-04-23T{}:00+02:00"  # the NL and BE calendars differ over that weekend
    kept = _one_by_one(
        engine,
        [
            REG,
            {**ask("q1", "", "c1"), "at": t.format("17:00")},
            {**ask("q2", "", "c2"), "at": t.format("09:30")},
            {**say("r2", "", "c2"), "at": t.format("10:00")},
            {**REG, "id": "reg-be", "at": t.format("18:00"), "country": "BE"},
            {**say("r1", "", "c1"), "at": "2026-04-28T16:00:00+02:00"},
        ],
    )
    assert sum(r[2] + r[3] for r in kept["question_days"]) == 2 and not recounted

"""The one writer's execution (`helpdesk.projection.sql`): on PostgreSQL a chunk goes in with
COPY and set-based updates, and a crash mid-chunk still leaves the store as before the chunk;
re-sending the chunk changes nothing. The projector's rules the writer stores: a seller
registered again in another country has its open questions and turns due by the new
country's calendar (answered ones keep theirs); a delay notice moves the order item's ship-by
and sends the stage message through the same writer."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from servicenorm.access.principal import Principal
from servicenorm.demo import generate_events
from servicenorm.helpdesk import ingest, orders
from servicenorm.helpdesk.projection import writer
from servicenorm.helpdesk.projection.keys import event_key
from servicenorm.helpdesk.reply_deadlines import deadline_for
from servicenorm.store.base import Base
from servicenorm.store.db import make_engine, make_session_factory
from servicenorm.store.tables import Message, Order, QuestionItem, TurnItem
from tests.helpdesk.test_projection import OP, _dump
from tests.integration.conftest import new_database

NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)


def ev(id: str, type: str, at: str, **fields: object) -> dict[str, object]:
    return {"id": id, "type": type, "at": at, **fields}


def test_a_crash_mid_chunk_on_postgresql_leaves_the_store_as_before(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(new_database("postgresql", request, tmp_path))
    sessions = make_session_factory(engine)
    demo = list(generate_events(sellers=2, days=2, preset="bol", seed=3))
    lines = list(enumerate(demo, start=1))
    with sessions() as s:  # a first chunk in: the second one meets stored rows
        ingest.ingest_many(s, OP, lines[:150], NOW)
        s.commit()
    before = _dump(engine)
    real = writer._insert

    def crash(db: Any, table: Any, rows: list[dict[str, Any]]) -> None:
        if table.name == "events":  # the last table written: the rest went in by COPY
            raise RuntimeError("the disk is gone")
        real(db, table, rows)

    monkeypatch.setattr(writer, "_insert", crash)
    with sessions() as s, pytest.raises(RuntimeError):
        ingest.ingest_many(s, OP, lines, NOW)
        s.commit()
    monkeypatch.undo()
    assert _dump(engine) == before
    with sessions() as s:
        report = ingest.ingest_many(s, OP, lines, NOW)
        s.commit()
    assert report.accepted == len(demo) - 150 and report.duplicates == 150 and not report.errors
    after = _dump(engine)
    with sessions() as s:  # re-sending every event changes nothing
        again = ingest.ingest_many(s, OP, lines, NOW)
        s.commit()
    assert again.duplicates == len(demo) and _dump(engine) == after
    with engine.connect() as c:
        counts = {
            t: c.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("events", "messages", "question_items", "turn_items")
        }
    assert counts["events"] == len(demo) and min(counts.values()) > 0
    engine.dispose()


def _store(tmp_path: Path) -> Any:
    engine = make_engine(f"sqlite:///{tmp_path / 'live.db'}")
    Base.metadata.create_all(engine)
    return engine


def test_a_seller_registered_again_in_another_country_moves_its_open_deadlines(
    tmp_path: Path,
) -> None:
    engine = _store(tmp_path)
    sessions = make_session_factory(engine)
    t = "2026-04-23T{}:00+02:00"  # the NL and BE calendars differ over that weekend
    events = [
        ev(
            "reg",
            "seller_registered",
            t.format("08:00"),
            seller="s1",
            marketplace="bol",
            country="NL",
        ),
        ev(
            "q1",
            "question_opened",
            t.format("17:00"),
            seller="s1",
            buyer="b1",
            conversation="c1",
            origin="buyer",
            body="Waar?",
        ),
        ev(
            "q2",
            "question_opened",
            t.format("09:30"),
            seller="s1",
            buyer="b2",
            conversation="c2",
            origin="buyer",
            body="Wanneer?",
        ),
        ev(
            "r2",
            "message_sent",
            t.format("10:00"),
            conversation="c2",
            author="seller",
            body="Morgen.",
        ),
        ev(
            "m2", "message_sent", t.format("17:10"), conversation="c2", author="buyer", body="Echt?"
        ),
    ]
    with sessions() as s:
        report = ingest.ingest_many(s, OP, list(enumerate(events, start=1)), NOW)
        s.commit()
    assert report.accepted == len(events)
    moved = ev(
        "reg-be",
        "seller_registered",
        t.format("18:00"),
        seller="s1",
        marketplace="bol",
        country="BE",
    )
    with sessions() as s:
        ingest.ingest_many(s, OP, [(1, moved)], NOW)
        s.commit()
    with sessions() as s:
        q = {x.conversation_id: x for x in s.scalars(select(QuestionItem))}
        turns = {x.id: x for x in s.scalars(select(TurnItem))}  # (a message's id: its event's key)
    at = datetime.fromisoformat
    # open: due by Belgium's calendar now; answered: the deadline it was judged by stays
    assert q["c1"].deadline == deadline_for("bol", "BE", at(t.format("17:00")))
    assert q["c2"].deadline == deadline_for("bol", "NL", at(t.format("09:30")))
    assert turns[event_key("bol", "m2")].deadline == deadline_for(
        "bol", "BE", at(t.format("17:10"))
    )
    assert turns["c2"].deadline == deadline_for("bol", "NL", at(t.format("09:30")))
    assert deadline_for("bol", "BE", at(t.format("17:00"))) != deadline_for(
        "bol", "NL", at(t.format("17:00"))
    )  # the calendars differ on that day (else the test proves nothing)
    engine.dispose()


def test_a_delay_notice_moves_the_order_item_and_messages_the_buyer(tmp_path: Path) -> None:
    engine = _store(tmp_path)
    sessions = make_session_factory(engine)
    events = [
        ev(
            "reg",
            "seller_registered",
            "2026-03-02T08:00:00+01:00",
            seller="s1",
            marketplace="ebay",
            country="DE",
        ),
        ev(
            "o1",
            "order_placed",
            "2026-03-02T09:00:00+01:00",
            seller="s1",
            buyer="b1",
            order="K-1",
            ship_by="2026-03-03T17:00:00+01:00",
            category="books",
            amount="12.50",
            currency="EUR",
        ),
    ]
    with sessions() as s:
        report = ingest.ingest_many(s, OP, list(enumerate(events, start=1)), NOW)
        s.commit()
    assert report.accepted == 2, report.errors
    later = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)
    with sessions() as s:
        owner = Principal(account_id="o", role="seller", name="o", seller_id="s1")
        msg = orders.announce_delay(s, owner, "K-1", later, NOW)
        s.commit()
    with sessions() as s:
        order = s.get(Order, "K-1")
        stored = s.scalars(select(Message).where(Message.stage == "problem")).all()
        paid = s.scalars(select(Message).where(Message.stage == "payment")).all()
    assert order is not None and order.ship_by == later
    assert msg is not None and [m.id for m in stored] == [msg.id]
    assert stored[0].author == "system" and stored[0].at == NOW
    assert stored[0].conversation_id == paid[0].conversation_id  # the order's thread
    engine.dispose()

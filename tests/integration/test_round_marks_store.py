"""Enforcement rounds' watermark on both databases (issue 10 item 5): what changed since the last
round is read by index on SQLite and PostgreSQL alike, and a restarted server (a new engine on
the same database) carries on from the stored watermark."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from servicenorm.enforce.schedule import run_due_evaluations
from servicenorm.store.db import make_engine, make_session_factory
from servicenorm.store.items import QuestionItem
from tests.enforce import factories as fx

T0 = datetime(2026, 3, 10, 9, tzinfo=ZoneInfo("Europe/Amsterdam"))  # a Tuesday


def test_the_watermark_finds_changes_and_survives_a_restart(database_url: str) -> None:
    live = fx.live()
    engine = make_engine(database_url)
    with make_session_factory(engine)() as s:
        fx.market(s, "shop", "bol", T0 - timedelta(days=400))
        fx.seller(s, "s1", "shop", T0 - timedelta(days=300))
        fx.seller(s, "s2", "shop", T0 - timedelta(days=300))
        s.commit()
        assert run_due_evaluations(s, T0, live=live).changed["shop"].sellers == {"s1", "s2"}
        t1 = T0 + timedelta(hours=1)
        question = fx.ev(
            "question_opened", "q1", t1, conversation="c1", seller="s2", buyer="b1", origin="buyer"
        )
        fx.ingest(s, [{**question, "body": "Wanneer?"}], t1)
        s.commit()
        after = run_due_evaluations(s, t1 + timedelta(minutes=1), live=live)
        assert after.changed["shop"].new_events == {"s2"}
        deadline = s.scalar(select(QuestionItem.deadline))
        assert deadline is not None
    engine.dispose()

    engine = make_engine(database_url)  # a restarted server
    with make_session_factory(engine)() as s:
        idle = run_due_evaluations(s, t1 + timedelta(minutes=2), live=live)
        assert idle.changed["shop"].since == t1 + timedelta(minutes=1)
        assert idle.changed["shop"].sellers == set() and idle.evaluated["shop"] == []
        due = run_due_evaluations(s, deadline + timedelta(seconds=1), live=live)
        assert due.changed["shop"].deadlines == {"s2"} and due.changed["shop"].new_events == set()
    engine.dispose()

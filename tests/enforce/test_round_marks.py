"""Enforcement rounds and their watermark (issue 10 item 5): a round reads, by index, the sellers
with events received since the last round and those with an open item whose deadline passed
in (last as-of, now]; a round with nothing new finds and evaluates no seller; the watermark is
in the store, so a restarted server carries on from it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from servicenorm.enforce.enforce_tables import RoundMark
from servicenorm.enforce.schedule import run_due_evaluations
from servicenorm.store.db import make_engine, make_session_factory
from servicenorm.store.items import QuestionItem
from tests.enforce import factories as fx

AMS = ZoneInfo("Europe/Amsterdam")
LIVE = fx.live()
# a Tuesday: the week's evaluation (Monday 06:00) is already behind each round below
T0 = datetime(2026, 3, 10, 9, tzinfo=AMS)


def _question(id: str, seller: str, at: datetime) -> dict[str, object]:
    return fx.ev(
        "question_opened",
        f"q-{id}",
        at,
        conversation=id,
        seller=seller,
        buyer="b1",
        origin="buyer",
        body="Wanneer wordt het geleverd?",
    )


def _reply(id: str, at: datetime) -> dict[str, object]:
    return fx.ev("message_sent", f"r-{id}", at, conversation=id, author="seller", body="Morgen.")


def test_rounds_find_new_events_and_passed_deadlines_and_nothing_when_idle(
    tmp_path: Path,
) -> None:
    engine, sessions = fx.migrated(tmp_path)
    with sessions() as s:
        fx.market(s, "shop", "bol", T0 - timedelta(days=400))
        for x in ("s1", "s2", "s3"):
            fx.seller(s, x, "shop", T0 - timedelta(days=300))
        s.commit()
        first = run_due_evaluations(s, live=LIVE, now=T0)
        assert first.changed["shop"].since is None  # no watermark yet: every seller is new
        assert first.changed["shop"].sellers == {"s1", "s2", "s3"}
        assert first.runs == [("shop", "week", "2026-W11", "done")]
        assert first.evaluated["shop"] == []  # no figures, no ladder state: nothing to decide

        idle = run_due_evaluations(s, live=LIVE, now=T0 + timedelta(minutes=1))
        assert idle.changed["shop"].sellers == set() and idle.evaluated["shop"] == []
        assert idle.runs == []

        # s1 is asked a question at 10:00 (received then) and answers it; s2 is asked one
        # that nobody answers
        t1 = T0 + timedelta(hours=1)
        fx.ingest(s, [_question("c1", "s1", t1), _reply("c1", t1 + timedelta(minutes=5))], t1)
        fx.ingest(s, [_question("c2", "s2", t1)], t1)
        s.commit()
        after = run_due_evaluations(s, live=LIVE, now=t1 + timedelta(minutes=10))
        assert after.changed["shop"].new_events == {"s1", "s2"}
        assert after.changed["shop"].deadlines == set()
        deadline = s.scalar(select(QuestionItem.deadline).where(QuestionItem.seller_id == "s2"))
        assert deadline is not None

        before_due = run_due_evaluations(s, live=LIVE, now=deadline - timedelta(seconds=1))
        assert before_due.changed["shop"].sellers == set()
        due = run_due_evaluations(s, live=LIVE, now=deadline + timedelta(minutes=1))
        assert due.changed["shop"].deadlines == {"s2"} and due.changed["shop"].new_events == set()
        again = run_due_evaluations(s, live=LIVE, now=deadline + timedelta(minutes=2))
        assert again.changed["shop"].sellers == set()  # that deadline passed once
        rounds = s.get(RoundMark, "shop")
        assert rounds is not None and rounds.rounds == 6
    engine.dispose()

    # a restarted server (a new engine on the same store) carries on from the stored watermark
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with make_session_factory(engine)() as s:
        mark = s.get(RoundMark, "shop")
        assert mark is not None and mark.as_of == deadline + timedelta(minutes=2)
        restarted = run_due_evaluations(s, live=LIVE, now=deadline + timedelta(minutes=3))
        assert restarted.changed["shop"].since == deadline + timedelta(minutes=2)
        assert restarted.changed["shop"].sellers == set() and restarted.evaluated["shop"] == []
        t2 = deadline + timedelta(minutes=4)
        fx.ingest(s, [_reply("c2", t2)], t2)
        s.commit()
        late = run_due_evaluations(s, live=LIVE, now=t2 + timedelta(minutes=1))
        assert late.changed["shop"].new_events == {"s2"}
    engine.dispose()


def test_an_older_round_never_moves_the_watermark_back(tmp_path: Path) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        fx.market(s, "shop", "bol", T0 - timedelta(days=400))
        fx.seller(s, "s1", "shop", T0 - timedelta(days=300))
        s.commit()
        run_due_evaluations(s, live=LIVE, now=T0)
        run_due_evaluations(
            s, live=LIVE, now=T0 - timedelta(hours=1)
        )  # a second server whose clock lags
        mark = s.get(RoundMark, "shop")
        assert mark is not None and mark.as_of == T0 and mark.rounds == 2


def test_a_deadline_at_the_last_round_a_late_commit_and_a_clock_ahead_are_not_missed(
    tmp_path: Path,
) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        fx.market(s, "shop", "bol", T0 - timedelta(days=400))
        for x in ("s1", "s2", "s3"):
            fx.seller(s, x, "shop", T0 - timedelta(days=300))
        s.commit()
        run_due_evaluations(s, live=LIVE, now=T0)
        t1 = T0 + timedelta(hours=1)
        fx.ingest(s, [_question("c1", "s1", t1)], t1)
        s.commit()
        run_due_evaluations(s, live=LIVE, now=t1 + timedelta(minutes=1))
        deadline = s.scalar(select(QuestionItem.deadline).where(QuestionItem.seller_id == "s1"))
        assert deadline is not None
        # a round exactly at the deadline: the question is still on time then (a reply at the
        # deadline counts); the next round must still see it turn late
        run_due_evaluations(s, live=LIVE, now=deadline)
        after = run_due_evaluations(s, live=LIVE, now=deadline + timedelta(minutes=5))
        assert after.changed["shop"].deadlines == {"s1"}

        # a request stamped its event 20 s before a round and committed it after the round,
        # which saw a newer stamp (another request's, 10 s before it)
        t2 = deadline + timedelta(minutes=10)
        fx.ingest(s, [_question("c4", "s3", t2)], t2 - timedelta(seconds=10))
        s.commit()
        run_due_evaluations(s, live=LIVE, now=t2)
        fx.ingest(s, [_question("c2", "s2", t2)], t2 - timedelta(seconds=20))
        s.commit()
        late = run_due_evaluations(s, live=LIVE, now=t2 + timedelta(minutes=5))
        assert "s2" in late.changed["shop"].new_events

        # a server whose clock runs a day ahead stamps an event; one stamped correctly later
        # is still new to the next round
        t3 = t2 + timedelta(minutes=30)
        fx.ingest(s, [_question("c3", "s3", t3)], t3 + timedelta(days=1))
        s.commit()
        run_due_evaluations(s, live=LIVE, now=t3 + timedelta(minutes=1))
        t4 = t3 + timedelta(minutes=10)
        fx.ingest(s, [_reply("c1", t4)], t4)
        s.commit()
        seen = run_due_evaluations(s, live=LIVE, now=t4 + timedelta(minutes=1))
        assert "s1" in seen.changed["shop"].new_events


def test_what_changed_is_read_by_the_instants_indexes_not_by_scanning_the_log(
    tmp_path: Path,
) -> None:
    """SQLite picks its plan per statement: asked for DISTINCT sellers, or with the
    marketplace's sellers as a subquery, it walked the seller index over every event (400 ms
    a view at 100 sellers) instead of the few rows after the watermark."""
    from sqlalchemy import event

    from servicenorm.enforce.round_marks import changed

    engine, sessions = fx.migrated(tmp_path)
    seen: list[tuple[str, object]] = []
    with sessions() as s:
        fx.market(s, "shop", "bol", T0 - timedelta(days=400))
        fx.seller(s, "s1", "shop", T0 - timedelta(days=300))
        s.commit()
        fx.ingest(s, [_question("c1", "s1", T0)], T0)
        s.commit()

        def note(_c: object, _cur: object, sql: str, params: object, *_rest: object) -> None:
            seen.append((sql, params))

        event.listen(engine, "before_cursor_execute", note)
        try:
            got = changed(s, "shop", T0 - timedelta(minutes=1), T0, T0 + timedelta(days=2))
        finally:
            event.remove(engine, "before_cursor_execute", note)
        assert got == (frozenset({"s1"}), frozenset({"s1"}))
        raw = s.connection().connection.dbapi_connection
        assert raw is not None
        plans = [
            (sql, [row[-1] for row in raw.execute("EXPLAIN QUERY PLAN " + sql, params)])
            for sql, params in seen
            if sql.lstrip().upper().startswith("SELECT")
        ]
        assert plans
        # each table of changes is read by the index on its instant, the sellers by their key
        wanted = {
            "events": "ix_events_received_at",
            "question_items": "ix_question_items_open_due",
            "turn_items": "ix_turn_items_open_due",
            "orders": "ix_orders_open_due",
        }
        read: set[str] = set()
        for sql, plan in plans:
            assert not any(step.startswith("SCAN") for step in plan), (sql, plan)
            table = sql.split("FROM", 1)[1].split()[0]
            if table in wanted:
                assert any(wanted[table] in step for step in plan), (sql, plan)
                read.add(table)
        assert read == set(wanted)
    engine.dispose()

"""`reply_waived` ("no reply needed", docs/events-extensions.md): a question waived by its
deadline leaves the first-response count, in `evaluate` (the metric registry's SQL) and in the
live store (the one projector) alike; a waiver after the deadline leaves it late; a policy
that allows none (bol) refuses the line with its field, at ingest and in `evaluate`."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from servicenorm.demo.store_seed import OPERATOR
from servicenorm.engines import make_engine as metric_engine
from servicenorm.events import read_events
from servicenorm.helpdesk import ingest
from servicenorm.helpdesk.performance import seller_metrics
from servicenorm.helpdesk.projection.aggregates import rebuild
from servicenorm.helpdesk.projection.keys import event_key
from servicenorm.metrics import Window, prepare, report
from servicenorm.policy import load_policy
from servicenorm.store.base import Base
from servicenorm.store.conversations import Message
from servicenorm.store.db import make_engine, make_session_factory
from servicenorm.store.items import WAIVED, QuestionItem
from servicenorm.store.tables import Conversation
from tests.migrated import migrated_sqlite

NOW = datetime(2026, 4, 1, tzinfo=UTC)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def _ev(id: str, type: str, at: datetime, **fields: Any) -> dict[str, Any]:
    return {"id": id, "type": type, "at": at.isoformat(), **fields}


def _log(preset: str) -> list[dict[str, Any]]:
    h = timedelta(hours=1)
    out = [_ev("s1", "seller_registered", T0 - h, seller="S1", marketplace=preset, country="NL")]
    for n in range(1, 6):
        out.append(
            _ev(
                f"q{n}",
                "question_opened",
                T0,
                conversation=f"c{n}",
                seller="S1",
                buyer="b1",
                origin="buyer",
                body="Bedankt!",
            )
        )
    return [
        *out,
        # c1 waived in time (with a reason), then a reply: the waiver came first
        _ev("w1", "reply_waived", T0 + h, conversation="c1", author="seller", reason="a thank-you"),
        _ev("m1", "message_sent", T0 + 2 * h, conversation="c1", author="seller", body="Graag."),
        # c2 answered in time: a later waiver changes nothing
        _ev("m2", "message_sent", T0 + h, conversation="c2", author="staff", body="Morgen."),
        _ev("w2", "reply_waived", T0 + 2 * h, conversation="c2", author="seller"),
        # c3 waived three days late: still late
        _ev("w3", "reply_waived", T0 + 72 * h, conversation="c3", author="staff"),
        # c4 unanswered: late; c5 waived in time, arriving before a message of the buyer
        _ev("w5", "reply_waived", T0 + h, conversation="c5", author="staff"),
        _ev("b5", "message_sent", T0 + 3 * h, conversation="c5", author="buyer", body="Nog iets."),
    ]


def _write(tmp: Path, events: list[dict[str, Any]]) -> Path:
    path = tmp / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


def _evaluate(path: Path, preset: str, as_of: datetime) -> tuple[dict[str, Any], list[Any]]:
    policy = load_policy(preset)
    window = Window(date(2026, 3, 1), date(2026, 3, 15), as_of, policy.zone)
    run = prepare(read_events(path), policy, window, metric_engine("duckdb", None))
    return report(run), run.frame.refused


def test_a_question_waived_in_time_leaves_the_first_response_count(tmp_path: Path) -> None:
    path = _write(tmp_path, _log("etsy"))
    rep, refused = _evaluate(path, "etsy", datetime(2026, 3, 15, tzinfo=UTC))
    assert refused == []
    # c1 and c5 waived; c2 on time; c3 (waived late) and c4 late
    assert rep["sellers"]["S1"]["first_response"] == {
        "on_time": 1,
        "late": 2,
        "pending": 0,
        "rate": pytest.approx(1 / 3, abs=1e-4),
    }


def test_the_live_store_counts_waivers_as_evaluate_does(tmp_path: Path) -> None:
    events = _log("etsy")
    url = migrated_sqlite(tmp_path / "live.db")
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        got = ingest.ingest_many(s, OPERATOR, list(enumerate(events, start=1)), NOW)
        s.commit()
        assert got.errors == [] and got.accepted == len(events)
        by = {
            r.conversation_id: r.first_reply_by
            for r in s.execute(select(QuestionItem.conversation_id, QuestionItem.first_reply_by))
        }
        assert by == {"c1": WAIVED, "c2": "staff", "c3": WAIVED, "c4": None, "c5": WAIVED}
        # the thread records who waived, and why; the queue no longer waits on c1
        w1 = s.scalars(select(Message).where(Message.event_id == event_key("etsy", "w1"))).one()
        assert (w1.author, w1.stage, w1.body) == ("seller", "reply_waived", "a thank-you")
        c1 = s.get(Conversation, "c1")
        assert c1 is not None and c1.awaiting_since is None
        c5 = s.get(Conversation, "c5")  # the buyer wrote again after the waiver: waiting again
        assert c5 is not None and c5.awaiting_since == T0 + timedelta(hours=3)
    with engine.connect() as c:  # the aggregates kept as events arrived = counted again
        days = Base.metadata.tables["question_days"]
        kept = sorted(tuple(r) for r in c.execute(select(days)))
        rebuild(c)
        assert sorted(tuple(r) for r in c.execute(select(days))) == kept
        c.rollback()
    path = _write(tmp_path, events)
    policy = load_policy("etsy")
    for as_of in (T0 + timedelta(hours=30), datetime(2026, 3, 15, tzinfo=UTC)):
        rep, _ = _evaluate(path, "etsy", as_of)
        window = Window(date(2026, 3, 1), date(2026, 3, 15), as_of, policy.zone)
        with engine.connect() as c:
            live = seller_metrics(c, policy, ["S1"], window)
        assert live["S1"]["first_response"] == rep["sellers"]["S1"]["first_response"], as_of
        assert live["S1"]["weekly_late"] == rep["sellers"]["S1"]["weekly_late"]
    engine.dispose()


def test_bol_refuses_a_waiver_with_its_line_and_field(tmp_path: Path) -> None:
    events = _log("bol")
    url = migrated_sqlite(tmp_path / "bol.db")
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        got = ingest.ingest_many(s, OPERATOR, list(enumerate(events, start=1)), NOW)
        s.commit()
    engine.dispose()
    waivers = [n for n, e in enumerate(events, start=1) if e["type"] == "reply_waived"]
    assert [(e.line, e.field) for e in got.errors] == [(n, "type") for n in waivers]
    assert "bol policy does not allow 'no reply needed'" in got.errors[0].reason

    rep, refused = _evaluate(_write(tmp_path, events), "bol", datetime(2026, 3, 15, tzinfo=UTC))
    assert [(e.line, e.field) for e in refused] == [(n, "type") for n in waivers]
    # refused lines count for nothing: c1 and c2 answered in time, c3, c4 and c5 late
    fr = rep["sellers"]["S1"]["first_response"]
    assert (fr["on_time"], fr["late"]) == (2, 3)

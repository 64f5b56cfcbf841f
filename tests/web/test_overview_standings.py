"""The overview's kept standings (issue 10): a view judges again only the sellers whose standing
may have changed (new events, an open item's deadline passed, the window's midnight), reads
the others from the store, and shows what judging every seller afresh shows. Fixed instants."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import select

from servicenorm.bootstrap import Container
from servicenorm.helpdesk.ingest import ingest_many
from servicenorm.helpdesk.tally import seller_metrics
from servicenorm.norms import Status
from servicenorm.norms.bulk import Judge
from servicenorm.store.items import QuestionItem
from servicenorm.store.standings import SellerStanding
from servicenorm.store.tables import Marketplace
from servicenorm.web.pages import overview as ov
from servicenorm.web.pages.board import board_for
from servicenorm.web.pages.standings import Standing, Standings
from tests.web import factories as fx

T0 = fx.NOW - timedelta(hours=2)  # when the events were received
MARKET = "kept"


def _store(tmp: Path, open_question: bool = False) -> Container:
    c = fx.container(tmp, T0)
    days = fx.working_days(T0, "Europe/Amsterdam", 20, clock_time(10, 0))
    late = [(d, fx.late(d, "bol", "NL", timedelta(days=2))) for d in days]
    good: list[tuple[datetime, timedelta | None]] = [(d, timedelta(minutes=30)) for d in days]
    busy = good + ([(T0 - timedelta(minutes=30), None)] if open_question else [])
    fx.seed(
        c,
        MARKET,
        "bol",
        [fx.History("k-late", "NL", late), fx.History("k-good", "NL", good),
         fx.History("k-busy", "BE", busy)],
        T0,
    )  # fmt: skip
    return c


def _view(c: Container, now: datetime) -> tuple[dict[str, Standing], list[str]]:
    """Every seller's standing as the overview reads it at `now`, and whom it judged again."""
    with c.sessions() as s:
        market = s.get(Marketplace, MARKET)
        assert market is not None
        board = board_for(s, market, now, trends=False)
        kept = Standings(s, MARKET, board.policy, board.window, board.current_week, now)
        got = kept.of(board.sellers)
        s.commit()
        return got, kept.judged


def _afresh(c: Container, now: datetime) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Every seller judged from its figures at `now` (what the overview did on each view)."""
    with c.sessions() as s:
        market = s.get(Marketplace, MARKET)
        assert market is not None
        board = board_for(s, market, now, trends=False)
        judge = Judge(board.policy, board.current_week)
        out = {}
        for sid, e in seller_metrics(
            s.connection(), board.policy, board.sellers, board.window
        ).items():
            statuses = judge.statuses(e)
            out[sid] = (judge.overall(statuses), sorted(statuses))
        return out


def _shown(got: dict[str, Standing]) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    return {sid: (x.worst, sorted(x.statuses)) for sid, x in got.items()}


def test_a_second_view_reads_the_kept_standings(tmp_path: Path) -> None:
    c = _store(tmp_path)
    first = T0 + timedelta(hours=1)
    got, judged = _view(c, first)
    assert judged == ["k-busy", "k-good", "k-late"]
    assert _shown(got) == _afresh(c, first)
    assert got["k-late"].worst == "below" and got["k-good"].worst == "meets"
    later = first + timedelta(minutes=20)
    again, judged = _view(c, later)
    assert judged == []
    assert _shown(again) == _afresh(c, later)
    c.engine.dispose()


def test_only_the_sellers_with_new_events_are_judged_again(tmp_path: Path) -> None:
    c = _store(tmp_path)
    first = T0 + timedelta(hours=1)
    _view(c, first)
    at = first + timedelta(minutes=5)
    reply_late = {
        "id": "k-good-new-open",
        "type": "question_opened",
        "at": at.isoformat(),
        "conversation": "k-good-new",
        "seller": "k-good",
        "buyer": "kept-buyer-new",
        "origin": "buyer",
        "body": "Is er al nieuws?",
    }
    with c.sessions() as s:
        rep = ingest_many(s, fx.operator(c), [(1, reply_late)], at)
        assert not rep.errors
        s.commit()
    later = first + timedelta(minutes=10)
    got, judged = _view(c, later)
    assert judged == ["k-good"]
    assert _shown(got) == _afresh(c, later)
    c.engine.dispose()


def test_a_deadline_passing_judges_that_seller_again(tmp_path: Path) -> None:
    c = _store(tmp_path, open_question=True)
    with c.sessions() as s:
        deadline = s.scalar(
            select(QuestionItem.deadline).where(
                QuestionItem.seller_id == "k-busy", QuestionItem.first_reply_at.is_(None)
            )
        )
    assert deadline is not None
    before = deadline - timedelta(seconds=1)
    _view(c, before)
    # at the deadline the question is still pending; a microsecond after it, late
    assert _view(c, deadline)[1] == ["k-busy"]
    after = deadline + timedelta(microseconds=1)
    got, judged = _view(c, after)
    assert judged == ["k-busy"]
    assert _shown(got) == _afresh(c, after)
    assert _view(c, after + timedelta(seconds=1))[1] == []
    c.engine.dispose()


def test_a_kept_standing_expires_at_its_valid_until(tmp_path: Path) -> None:
    """Valid until the local midnight at which the seller's oldest day with data leaves the
    window; a seller with late questions this week until the week turns (the weekly norm)."""
    c = _store(tmp_path)
    first = T0 + timedelta(hours=1)
    _view(c, first)
    with c.sessions() as s:
        market = s.get(Marketplace, MARKET)
        assert market is not None
        days = board_for(s, market, first, trends=False).policy.window.days
        until = {
            sid: v
            for sid, v in s.execute(select(SellerStanding.seller_id, SellerStanding.valid_until))
        }
    zone = fx.NOW.tzinfo
    oldest = fx.working_days(T0, "Europe/Amsterdam", 20, clock_time(10, 0))[0].date()
    leaves = datetime.combine(oldest + timedelta(days=days), clock_time(0, 0), zone)
    monday = datetime(2026, 12, 7, tzinfo=zone)  # T0 is a Thursday
    assert until == {"k-late": monday, "k-good": leaves, "k-busy": leaves} and monday < leaves
    assert _view(c, monday - timedelta(microseconds=1))[1] == []
    got, judged = _view(c, monday)
    assert judged == ["k-late"]
    assert _shown(got) == _afresh(c, monday)
    assert _view(c, leaves - timedelta(microseconds=1))[1] == []
    got, judged = _view(c, leaves)
    assert judged == ["k-busy", "k-good", "k-late"]
    assert _shown(got) == _afresh(c, leaves)
    c.engine.dispose()


def test_a_view_of_an_earlier_instant_keeps_nothing(tmp_path: Path) -> None:
    c = _store(tmp_path)
    first = T0 + timedelta(hours=1)
    _view(c, first)
    earlier = first - timedelta(minutes=30)
    got, judged = _view(c, earlier)
    assert judged == ["k-busy", "k-good", "k-late"]
    assert _shown(got) == _afresh(c, earlier)
    with c.sessions() as s:
        assert set(s.scalars(select(SellerStanding.as_of))) == {first}
    assert _view(c, first + timedelta(minutes=1))[1] == []
    c.engine.dispose()


def test_the_week_ago_standing_is_the_latest_kept_in_the_day_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An hour nobody looked at a week ago reads the latest hour kept in the day before it
    instead of counting a week-old window of every seller; more than a day back, it counts."""
    c = _store(tmp_path)
    then = {"k-late": "meets", "k-good": "meets", "k-busy": "below"}
    with c.sessions() as s:
        ov.keep_standing(s, MARKET, T0, cast("dict[str, Status]", then))
        s.commit()
        market = s.get(Marketplace, MARKET)
        assert market is not None

        def counted(*args: object) -> object:
            raise AssertionError("the week-old window was counted")

        with monkeypatch.context() as m:
            m.setattr(ov, "seller_metrics", counted)
            at = T0 + timedelta(hours=5)
            board = board_for(s, market, at + ov.WEEK, trends=False)
            assert ov.standing_before(s, board, at) == then
        at = T0 + ov.LOOK_BACK + timedelta(hours=1)
        board = board_for(s, market, at + ov.WEEK, trends=False)
        assert ov.standing_before(s, board, at)["k-late"] == "below"  # counted at that hour
    c.engine.dispose()


def test_a_listed_line_shows_the_new_figure_after_an_event(tmp_path: Path) -> None:
    """The at-risk lines' figures are read again for a seller whose standing changed (the
    rows kept per process follow the standing's version)."""
    from fastapi.testclient import TestClient

    from servicenorm.web.app import create_app

    store = _store(tmp_path)
    first = T0 + timedelta(hours=1)
    moment = [first]
    c = replace(store, clock=lambda: moment[0])  # the same store, a clock the test moves
    client = TestClient(create_app(container=c), headers={"Accept-Language": "en"})
    r = client.post("/ui/login", data={"token": fx.OPERATOR_TOKEN}, follow_redirects=False)
    assert r.status_code == 303

    def line(norm: str) -> str:
        rows = client.get("/ui/overview?format=csv").content.decode("utf-8-sig").splitlines()
        return next(x for x in rows if x.startswith("K Late,") and norm in x)

    before = line("First response")
    assert line("First response") == before  # read from the rows kept for the standing
    at = first + timedelta(minutes=5)
    opened = {
        "id": "k-late-new-open",
        "type": "question_opened",
        "at": (at - timedelta(days=3)).isoformat(),
        "conversation": "k-late-new",
        "seller": "k-late",
        "buyer": "kept-buyer-new",
        "origin": "buyer",
        "body": "Is er al nieuws?",
    }
    replied = {
        "id": "k-late-new-reply",
        "type": "message_sent",
        "at": (at - timedelta(days=3) + timedelta(minutes=10)).isoformat(),
        "conversation": "k-late-new",
        "author": "seller",
        "body": "Vandaag verzonden.",
    }
    with c.sessions() as s:
        rep = ingest_many(s, fx.operator(c), [(1, opened), (2, replied)], at)
        assert not rep.errors
        s.commit()
    moment[0] = first + timedelta(minutes=10)
    after = line("First response")
    assert after != before and ",0%," in before and ",0%," not in after  # one answered in time
    c.engine.dispose()

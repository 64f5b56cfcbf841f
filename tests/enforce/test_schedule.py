"""When evaluations are due (pure), and `run_due_evaluations`: each period once, a failing
marketplace recorded and retried later while the others carry on."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from servicenorm.enforce import schedule
from servicenorm.enforce.enforce_tables import EvaluationRun
from servicenorm.enforce.schedule import due_periods, latest_period, run_due_evaluations
from servicenorm.policy import load_preset
from tests.enforce import factories as fx

AMS = ZoneInfo("Europe/Amsterdam")
UTC = ZoneInfo("UTC")


def test_weekly_period_starts_monday_at_six_local_time_and_covers_the_four_weeks_before() -> None:
    monday = datetime(2026, 3, 9, 6, tzinfo=AMS)
    p = latest_period("week", 28, "06:00", "Europe/Amsterdam", monday, "week")
    assert (p.key, p.as_of, p.window_from, p.window_to) == (
        "2026-W11",
        monday,
        date(2026, 2, 9),
        date(2026, 3, 9),
    )
    before = latest_period(
        "week", 28, "06:00", "Europe/Amsterdam", monday - timedelta(seconds=1), "week"
    )
    assert before.key == "2026-W10" and before.as_of == monday - timedelta(days=7)
    sunday = latest_period(
        "week", 28, "06:00", "Europe/Amsterdam", datetime(2026, 3, 15, 23, tzinfo=AMS), "week"
    )
    assert sunday.key == "2026-W11"


def test_a_period_across_the_dst_change_keeps_local_six_oclock() -> None:
    p = latest_period(
        "week", 28, "06:00", "Europe/Amsterdam", datetime(2026, 3, 30, 12, tzinfo=AMS), "week"
    )
    assert p.as_of == datetime(2026, 3, 30, 6, tzinfo=AMS) and p.as_of.utcoffset() == timedelta(
        hours=2
    )


def test_badge_period_is_monthly_over_91_days() -> None:
    etsy = load_preset("etsy")
    first = datetime(2026, 3, 1, 6, tzinfo=UTC)
    got = {p.cadence: p for p in due_periods(etsy, first)}
    assert set(got) == {"week", "badge"}
    assert (got["badge"].key, got["badge"].window_from, got["badge"].window_to) == (
        "2026-03",
        date(2025, 11, 30),
        date(2026, 3, 1),
    )
    assert due_periods(etsy, first - timedelta(seconds=1))[1].key == "2026-02"
    assert got["badge"].badges and not got["week"].badges


def test_each_period_runs_once_and_a_failure_is_retried_while_others_carry_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    t0 = datetime(2026, 3, 9, 6, tzinfo=AMS)
    with fx.store(tmp_path) as sessions, sessions() as s:
        fx.market(s, "good", "bol", t0)
        fx.market(s, "flaky", "bol", t0)
        fx.seller(s, "s1", "good", t0 - timedelta(days=60))
        fx.seller(s, "s2", "flaky", t0 - timedelta(days=60))
        s.commit()
        real = schedule.run_period
        calls: list[str] = []

        def run_period(sess: Any, market: str, *a: Any, **kw: Any) -> Any:
            calls.append(market)
            if market == "flaky" and calls.count("flaky") == 1:
                raise RuntimeError("disk on fire")
            return real(sess, market, *a, **kw)

        monkeypatch.setattr(schedule, "run_period", run_period)
        rep = run_due_evaluations(s, t0)
        assert sorted(rep.runs) == [
            ("flaky", "week", "2026-W11", "failed"),
            ("good", "week", "2026-W11", "done"),
        ]
        assert any("disk on fire" in e for e in rep.errors)
        assert (
            run_due_evaluations(s, t0 + timedelta(seconds=1)).runs == []
        )  # done, and the retry is not due yet
        rows = {r.marketplace: r for r in s.scalars(select(EvaluationRun))}
        assert rows["flaky"].state == "failed" and rows["flaky"].next_try_at is not None
        retry = run_due_evaluations(s, rows["flaky"].next_try_at)
        assert retry.runs == [("flaky", "week", "2026-W11", "done")]
        assert run_due_evaluations(s, t0 + timedelta(days=1)).runs == []
        assert calls == ["flaky", "good", "flaky"]  # marketplaces in id order

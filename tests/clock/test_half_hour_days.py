"""Deadlines on calendars whose working day is not a whole number of hours (reported while
the demo generator was built: the per-working-hour index must step across intervals)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from servicenorm.clock import Calendar, parse_instant, to_us

WEEK = ("mon", "tue", "wed", "thu", "fri")


def test_ten_minutes_after_closing_runs_into_the_next_morning() -> None:
    cal = Calendar.from_hours("Europe/Amsterdam", {d: [["08:30", "17:00"]] for d in WEEK})
    due = cal.deadline(parse_instant("2026-03-02T18:00:00+01:00"), timedelta(minutes=10))
    assert due == parse_instant("2026-03-03T08:40:00+01:00")


def test_inverse_index_equals_exact_search_on_uneven_days() -> None:
    cal = Calendar.from_hours(
        "Europe/Amsterdam", {d: [["07:30", "22:00"]] for d in (*WEEK, "sat", "sun")}
    )
    span = cal.span(
        to_us(parse_instant("2026-01-01T00:00:00+01:00")),
        to_us(parse_instant("2026-12-31T00:00:00+01:00")),
    )
    targets = np.random.default_rng(7).integers(0, span.total - 1, 200_000)
    np.testing.assert_array_equal(span.last_at_most(targets), span._last_exact(targets))

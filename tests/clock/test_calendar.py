"""Calendar shapes (docs/clock.md): several intervals a day, `24:00` ends, extra closed and
reopened dates, 24/7 = elapsed time (R1.4), naive datetimes rejected (R1.3)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from servicenorm.clock import Calendar, NaiveDatetimeError, parse_instant, to_us
from servicenorm.policy import load_preset

from .calendars import WEEK, WORKDAYS, ams, bol, local

H = timedelta(hours=1)
M = timedelta(minutes=1)
S = timedelta(seconds=1)
MON, TUE = (2026, 3, 2), (2026, 3, 3)

SPLIT = Calendar.from_hours(
    "Europe/Amsterdam", {d: [["09:00", "12:00"], ["13:00", "17:30"]] for d in WORKDAYS}
)
# Friday evening into Saturday night without a break at midnight.
LATE = Calendar.from_hours(
    "Europe/Amsterdam", {"fri": [["20:00", "24:00"]], "sat": [["00:00", "02:00"]]}
)


# --- several intervals a day ----------------------------------------------------------
@pytest.mark.parametrize(
    ("t", "is_open"),
    [
        (ams(*MON, 11, 59, 59), True),
        (ams(*MON, 12, 0, 0), False),
        (ams(*MON, 12, 0, 1), False),
        (ams(*MON, 12, 59, 59), False),
        (ams(*MON, 13, 0, 0), True),
        (ams(*MON, 13, 0, 1), True),
        (ams(*MON, 17, 29, 59), True),
        (ams(*MON, 17, 30, 0), False),
    ],
)
def test_split_hours_boundaries(t: datetime, is_open: bool) -> None:
    assert SPLIT.is_open(t) is is_open


def test_split_hours_working_time_and_deadlines() -> None:
    assert SPLIT.working_time(ams(*MON, 0, 0), ams(*TUE, 0, 0)) == 7 * H + 30 * M
    assert SPLIT.working_time(ams(*MON, 11, 59, 59), ams(*MON, 13, 0, 1)) == 2 * S
    # used up at the lunch closing: the afternoon opening
    assert SPLIT.deadline(ams(*MON, 9, 0), 3 * H) == ams(*MON, 13, 0)
    assert SPLIT.deadline(ams(*MON, 9, 0), 3 * H - S) == ams(*MON, 11, 59, 59)
    assert SPLIT.deadline(ams(*MON, 12, 15), 1 * S) == ams(*MON, 13, 0, 1)
    assert SPLIT.deadline(ams(*MON, 9, 0), 7 * H + 30 * M) == ams(*TUE, 9, 0)
    assert SPLIT.next_open(ams(*MON, 12, 0)) == ams(*MON, 13, 0)


# --- 24:00 ends -----------------------------------------------------------------------
def test_24_00_end_runs_into_the_next_day_without_a_gap() -> None:
    fri_late, sat = (2026, 3, 6), (2026, 3, 7)
    assert LATE.is_open(ams(*fri_late, 23, 59, 59))
    assert LATE.is_open(ams(*sat, 0, 0, 0))
    assert LATE.working_time(ams(*fri_late, 23, 59, 59), ams(*sat, 0, 0, 1)) == 2 * S
    assert LATE.working_time(ams(*fri_late, 0, 0), ams(*sat, 12, 0)) == 6 * H
    assert LATE.deadline(ams(*fri_late, 23, 0), 2 * H) == ams(*sat, 1, 0)
    assert LATE.deadline(ams(*fri_late, 20, 0), 4 * H) == ams(*sat, 0, 0)  # open at midnight
    assert LATE.deadline(ams(*fri_late, 20, 0), 6 * H) == ams(2026, 3, 13, 20, 0)
    assert not LATE.is_open(ams(*sat, 2, 0, 0))


def test_24_00_end_alone_closes_at_midnight() -> None:
    cal = Calendar.from_hours("Europe/Amsterdam", {"mon": [["22:00", "24:00"]]})
    assert cal.is_open(ams(*MON, 23, 59, 59))
    assert not cal.is_open(ams(*TUE, 0, 0, 0))
    assert cal.deadline(ams(*MON, 22, 0), 2 * H) == ams(2026, 3, 9, 22, 0)


# --- extra closed dates and dates reopened ----------------------------------------------
def test_extra_closed_dates_and_reopened_holidays() -> None:
    cal = Calendar.from_hours(
        "Europe/Amsterdam",
        {d: [["09:00", "17:00"]] for d in WORKDAYS},
        holiday_sets=("NL-Atw",),
        closed=frozenset({date(2026, 3, 4)}),
        reopened=frozenset({date(2026, 4, 27), date(2026, 4, 25)}),
    )
    assert not cal.is_open(ams(2026, 3, 4, 12, 0))  # extra closed Wednesday
    assert cal.is_open(ams(2026, 3, 5, 12, 0))
    assert cal.is_open(ams(2026, 4, 27, 12, 0))  # Koningsdag reopened
    assert not cal.is_open(ams(2026, 4, 25, 12, 0))  # reopening a Saturday adds no hours
    assert not cal.is_open(ams(2026, 5, 5, 12, 0))  # the other holidays still apply
    assert cal.deadline(ams(2026, 3, 3, 16, 0), 2 * H) == ams(2026, 3, 5, 10, 0)
    assert cal.working_time(ams(2026, 3, 2, 0, 0), ams(2026, 3, 9, 0, 0)) == 32 * H
    assert date(2026, 4, 27) not in cal.holidays(range(2026, 2027))
    assert cal.holidays(range(2026, 2027))[date(2026, 3, 4)] == "closed"


# --- 24/7 is elapsed time ---------------------------------------------------------------
@pytest.mark.parametrize(
    "cal",
    [
        Calendar.continuous(),
        Calendar.continuous("Europe/Amsterdam"),
        Calendar.from_hours("America/Santiago", {d: [["00:00", "24:00"]] for d in WEEK}),
        Calendar.from_hours("Australia/Lord_Howe", {d: [["00:00", "24:00"]] for d in WEEK}),
        load_preset("etsy").response_calendar(None),
    ],
    ids=["UTC", "Amsterdam", "Santiago", "Lord_Howe", "etsy"],
)
def test_continuous_calendar_is_elapsed_time(cal: Calendar) -> None:
    rng = np.random.default_rng(7)
    lo, hi = to_us(datetime(2024, 1, 1, tzinfo=UTC)), to_us(datetime(2028, 1, 1, tzinfo=UTC))
    a = rng.integers(lo, hi, 20_000)
    b = a + rng.integers(-40 * 86_400 * 10**6, 40 * 86_400 * 10**6, a.size)
    np.testing.assert_array_equal(cal.working_us(a, b), b - a)
    d = rng.integers(0, 100 * 3600 * 10**6, a.size)
    np.testing.assert_array_equal(cal.deadline_us(a, d), a + d)
    start = datetime.fromisoformat("2026-03-28T12:00:00+00:00")
    assert cal.deadline(start, 24 * H) == start + 24 * H
    assert cal.is_open(start)


# --- naive datetimes are rejected -------------------------------------------------------
def test_naive_datetimes_are_rejected_everywhere() -> None:
    cal = bol()
    naive = datetime(2026, 3, 2, 9, 0)  # noqa: DTZ001 - the point of the test
    aware = ams(*MON, 9, 0)
    with pytest.raises(NaiveDatetimeError, match="no UTC offset"):
        cal.working_time(naive, aware)
    with pytest.raises(NaiveDatetimeError):
        cal.working_time(aware, naive)
    with pytest.raises(NaiveDatetimeError):
        cal.deadline(naive, 8 * H)
    with pytest.raises(NaiveDatetimeError):
        cal.is_open(naive)
    with pytest.raises(NaiveDatetimeError):
        cal.next_open(naive)
    with pytest.raises(NaiveDatetimeError, match=r"give one, e.g. \+01:00 or Z"):
        parse_instant("2026-03-02T09:00:00")
    with pytest.raises(ValueError, match="not an ISO 8601 time"):
        parse_instant("next tuesday")


def test_parse_instant_accepts_offsets_and_z() -> None:
    assert parse_instant("2026-03-02T08:00:00Z") == ams(*MON, 9, 0)
    assert parse_instant(" 2026-03-02T09:00:00+01:00 ") == ams(*MON, 9, 0)


# --- the vectorised API's edges -------------------------------------------------------
def test_empty_arrays() -> None:
    cal = bol()
    empty = np.zeros(0, dtype=np.int64)
    assert cal.working_us(empty, empty).shape == (0,)
    assert cal.deadline_us(empty, 0).shape == (0,)
    assert cal.is_open_us(empty).shape == (0,)
    assert cal.next_open_us(empty).shape == (0,)


def test_negative_allowance_is_an_error() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        bol().deadline(ams(*MON, 9, 0), -H)


def test_calendar_without_hours_is_an_error_when_used() -> None:
    cal = Calendar.from_hours("UTC", {})
    with pytest.raises(ValueError, match="no opening hours"):
        cal.working_time(ams(*MON, 9, 0), ams(*TUE, 9, 0))


def test_unknown_zone_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Europe/Amsterdamm'"):
        Calendar.from_hours("Europe/Amsterdamm", {"mon": [["09:00", "17:00"]]})


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({"monday": [["09:00", "17:00"]]}, "unknown weekday 'monday'"),
        ({"mon": [["9:00", "17:00"]]}, "'9:00' is not a time of day HH:MM"),
        ({"mon": [["09:00", "24:01"]]}, "'24:01' is not a time of day"),
        ({"mon": [["09:00", "17:60"]]}, "'17:60' is not a time of day"),
        ({"mon": [["17:00", "09:00"]]}, "ends before it starts"),
        ({"mon": [["09:00", "09:00"]]}, "ends before it starts"),
        ({"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}, "intervals overlap"),
        ({"mon": [["09:00"]]}, "each interval is a pair"),
    ],
)
def test_bad_hours_are_clear_errors(hours: dict[str, list[list[str]]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Calendar.from_hours("UTC", hours)


def test_touching_intervals_are_allowed_and_count_once() -> None:
    cal = Calendar.from_hours("UTC", {"mon": [["09:00", "12:00"], ["12:00", "17:00"]]})
    start = local(cal.zone, 2026, 3, 2, 9, 0)
    assert cal.working_time(start, local(cal.zone, 2026, 3, 3, 0, 0)) == 8 * H
    assert cal.deadline(start, 3 * H) == local(cal.zone, 2026, 3, 2, 12, 0)

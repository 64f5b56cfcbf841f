"""DST by wall clock (docs/clock.md): the weeks of 29 March 2026 (02:00 -> 03:00) and 25 October
2026 (03:00 -> 02:00) in Europe/Amsterdam."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from servicenorm.clock import Calendar, to_us

from .calendars import AMS, WEEK, ams, bol
from .reference import DAY_US, HOUR_US, RefCalendar

H = timedelta(hours=1)
M = timedelta(minutes=1)
S = timedelta(seconds=1)
SPRING, AUTUMN = (2026, 3, 29), (2026, 10, 25)


def elapsed(a: datetime, b: datetime) -> timedelta:
    """Elapsed time (Python subtracts two datetimes of one zone by wall clock)."""
    return b.astimezone(UTC) - a.astimezone(UTC)


def hours(**days: list[list[str]]) -> Calendar:
    return Calendar.from_hours("Europe/Amsterdam", days)


ALWAYS = hours(**{d: [["00:00", "24:00"]] for d in WEEK})
SUNDAYS = hours(sun=[["00:00", "24:00"]])
NIGHT = hours(sun=[["01:00", "04:00"]])


def test_the_dst_days_are_sundays_with_the_expected_offsets() -> None:
    assert ams(*SPRING, 1, 59).utcoffset() == H and ams(*SPRING, 3, 0).utcoffset() == 2 * H
    assert ams(*AUTUMN, 2, 30, fold=0).utcoffset() == 2 * H
    assert ams(*AUTUMN, 2, 30, fold=1).utcoffset() == H


@pytest.mark.parametrize("cal", [ALWAYS, SUNDAYS], ids=["00:00-24:00 daily", "Sunday 00:00-24:00"])
def test_spring_forward_sunday_is_23_hours_and_fall_back_sunday_25(cal: Calendar) -> None:
    assert cal.working_time(ams(*SPRING, 0, 0), ams(2026, 3, 30, 0, 0)) == 23 * H
    assert cal.working_time(ams(*AUTUMN, 0, 0), ams(2026, 10, 26, 0, 0)) == 25 * H


def test_whole_dst_weeks_on_a_daily_24_hour_calendar_are_elapsed_time() -> None:
    for monday, sunday_after in (
        (ams(2026, 3, 23, 0, 0), ams(2026, 3, 30, 0, 0)),
        (ams(2026, 10, 19, 0, 0), ams(2026, 10, 26, 0, 0)),
    ):
        assert ALWAYS.working_time(monday, sunday_after) == elapsed(monday, sunday_after)
    assert ALWAYS.working_time(ams(2026, 3, 23, 0, 0), ams(2026, 3, 30, 0, 0)) == 167 * H
    assert ALWAYS.working_time(ams(2026, 10, 19, 0, 0), ams(2026, 10, 26, 0, 0)) == 169 * H


def test_sunday_only_calendar_over_the_dst_weeks() -> None:
    assert SUNDAYS.working_time(ams(2026, 3, 23, 0, 0), ams(2026, 4, 6, 0, 0)) == 23 * H + 24 * H
    assert SUNDAYS.working_time(ams(2026, 10, 19, 0, 0), ams(2026, 11, 2, 0, 0)) == 25 * H + 24 * H


def test_night_hours_across_the_gap_and_the_fold() -> None:
    """Sunday 01:00-04:00 by the wall clock: 2 h when 02:00-03:00 does not exist, 4 h when it
    happens twice, 3 h on a normal Sunday."""
    assert NIGHT.working_time(ams(*SPRING, 0, 0), ams(*SPRING, 12, 0)) == 2 * H
    assert NIGHT.working_time(ams(*AUTUMN, 0, 0), ams(*AUTUMN, 12, 0)) == 4 * H
    assert NIGHT.working_time(ams(2026, 4, 5, 0, 0), ams(2026, 4, 5, 12, 0)) == 3 * H


@pytest.mark.parametrize(
    ("t", "is_open"),
    [
        (ams(*SPRING, 0, 59, 59), False),
        (ams(*SPRING, 1, 0, 0), True),
        (ams(*SPRING, 1, 59, 59), True),
        (ams(*SPRING, 3, 0, 0), True),  # the instant after 01:59:59.999999
        (ams(*SPRING, 3, 59, 59), True),
        (ams(*SPRING, 4, 0, 0), False),
        (ams(*AUTUMN, 2, 59, 59, fold=0), True),  # first pass through 02:xx (+02:00)
        (ams(*AUTUMN, 2, 0, 0, fold=1), True),  # second pass (+01:00)
        (ams(*AUTUMN, 3, 59, 59), True),
        (ams(*AUTUMN, 4, 0, 0), False),
    ],
)
def test_night_hours_boundaries_on_dst_sundays(t: datetime, is_open: bool) -> None:
    assert NIGHT.is_open(t) is is_open


def test_deadline_through_the_spring_gap_counts_elapsed_not_wall_time() -> None:
    start = ams(*SPRING, 1, 30)
    due = ALWAYS.deadline(start, H)
    assert due == ams(*SPRING, 3, 30)
    assert elapsed(start, due) == H
    # running out exactly where the clock jumps: the instant the wall clock reads 03:00
    assert ALWAYS.deadline(ams(*SPRING, 1, 0), H).isoformat() == "2026-03-29T03:00:00+02:00"
    assert NIGHT.deadline(ams(*SPRING, 1, 0), 2 * H).isoformat() == "2026-04-05T01:00:00+02:00"
    assert NIGHT.deadline(ams(*SPRING, 1, 0), 2 * H - S).isoformat() == "2026-03-29T03:59:59+02:00"


def test_deadline_through_the_autumn_fold_counts_the_repeated_hour() -> None:
    start = ams(*AUTUMN, 1, 30)
    due = ALWAYS.deadline(start, 2 * H)
    assert due == ams(*AUTUMN, 2, 30, fold=1)
    assert due.isoformat() == "2026-10-25T02:30:00+01:00"
    assert NIGHT.deadline(ams(*AUTUMN, 1, 0), 3 * H).isoformat() == "2026-10-25T03:00:00+01:00"


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ([["02:30", "05:00"]], 2 * H),  # opens inside the gap: at the jump, 03:00 +02:00
        ([["01:00", "02:30"]], H),  # closes inside the gap: at the jump
        ([["02:00", "03:00"]], timedelta(0)),  # the hour that does not exist
        ([["02:10", "02:50"]], timedelta(0)),
    ],
)
def test_intervals_with_ends_in_the_spring_gap(spans: list[list[str]], expected: timedelta) -> None:
    cal = hours(sun=spans)
    assert cal.working_time(ams(*SPRING, 0, 0), ams(*SPRING, 12, 0)) == expected


def test_interval_opening_in_the_gap_opens_at_the_jump() -> None:
    cal = hours(sun=[["02:30", "05:00"]])
    assert cal.next_open(ams(*SPRING, 0, 0)).isoformat() == "2026-03-29T03:00:00+02:00"


def test_interval_inside_the_repeated_hour_is_open_twice() -> None:
    cal = hours(sun=[["02:10", "02:50"]])
    assert cal.working_time(ams(*AUTUMN, 0, 0), ams(*AUTUMN, 12, 0)) == 80 * M
    assert cal.is_open(ams(*AUTUMN, 2, 30, fold=0)) and cal.is_open(ams(*AUTUMN, 2, 30, fold=1))


def test_nonexistent_local_time_is_read_as_python_does() -> None:
    """02:30 on 29 March 2026 does not exist in Amsterdam. An aware datetime still names one
    instant (PEP 495): fold=0 reads it with the offset before the jump (= 03:30 +02:00),
    fold=1 with the offset after (= 01:30 +01:00). The clock takes that instant as given."""
    gap0, gap1 = ams(*SPRING, 2, 30, fold=0), ams(*SPRING, 2, 30, fold=1)
    assert ALWAYS.working_time(gap0, ams(*SPRING, 3, 30)) == timedelta(0)
    assert ALWAYS.working_time(gap1, ams(*SPRING, 1, 30)) == timedelta(0)
    assert NIGHT.deadline(gap0, 10 * M).isoformat() == "2026-03-29T03:40:00+02:00"
    assert NIGHT.deadline(gap1, 10 * M).isoformat() == "2026-03-29T01:40:00+01:00"


def test_bol_friday_to_monday_over_spring_forward() -> None:
    cal = bol()
    start = datetime.fromisoformat("2026-03-27T16:00:00+01:00")
    due = cal.deadline(start, 8 * H)
    assert due.isoformat() == "2026-03-30T16:00:00+02:00"
    assert cal.working_time(start, due) == 8 * H
    assert elapsed(start, due) == 3 * 24 * H - H  # one hour less elapsed than wall clock
    assert cal.working_time(ams(2026, 3, 23, 0, 0), ams(2026, 3, 30, 0, 0)) == 40 * H


def test_bol_friday_to_monday_over_fall_back() -> None:
    cal = bol()
    start = datetime.fromisoformat("2026-10-23T16:00:00+02:00")
    due = cal.deadline(start, 8 * H)
    assert due.isoformat() == "2026-10-26T16:00:00+01:00"
    assert elapsed(start, due) == 3 * 24 * H + H
    assert cal.is_open(datetime.fromisoformat("2026-10-26T08:00:00Z"))  # 09:00 CET
    assert not cal.is_open(datetime.fromisoformat("2026-10-26T07:59:59Z"))


def test_utc_offset_of_the_zone_is_used_not_a_fixed_one() -> None:
    assert AMS.utcoffset(datetime(2026, 7, 1)) == 2 * H  # noqa: DTZ001 - asking the zone itself
    assert (
        bol().next_open(datetime.fromisoformat("2026-07-01T06:59:59Z")).isoformat()
        == "2026-07-01T09:00:00+02:00"
    )


@pytest.mark.parametrize(
    ("zone", "spans"),
    [
        ("America/Santiago", [["00:00", "01:30"], ["22:30", "24:00"]]),  # changes at midnight
        ("Asia/Beirut", [["00:00", "00:45"], ["23:00", "24:00"]]),  # falls back 24:00 -> 23:00
        ("Australia/Lord_Howe", [["01:30", "02:30"]]),  # 30-minute changes at 02:00
    ],
)
def test_zones_whose_clocks_change_at_midnight_agree_with_the_reference(
    zone: str, spans: list[list[str]]
) -> None:
    cal = Calendar.from_hours(zone, {d: spans for d in WEEK})
    ref = RefCalendar.of(cal)
    rng = np.random.default_rng(3)
    lo = to_us(datetime(2025, 1, 1, tzinfo=UTC))
    changes = [
        lo + k * HOUR_US
        for k in range(1, 2 * 366 * 24)
        if ref.offset(lo + k * HOUR_US) != ref.offset(lo + (k - 1) * HOUR_US)
    ]
    assert len(changes) >= 4
    for change in changes:
        for _ in range(15):
            a = change + int(rng.integers(-2 * DAY_US, 2 * DAY_US))
            b = a + int(rng.integers(0, 3 * DAY_US))
            d = int(rng.integers(0, 4 * HOUR_US))
            assert int(cal.working_us(np.array([a]), np.array([b]))[0]) == ref.working_time(a, b)
            assert int(cal.deadline_us(np.array([a]), d)[0]) == ref.deadline(a, d)

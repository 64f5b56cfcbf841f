"""The bol response calendar (Mon-Fri 09:00-17:00 Europe/Amsterdam): one second before, at
and after opening, closing and the deadline; the R1.2 conventions; the contract examples."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from .calendars import ams, bol

S = timedelta(seconds=1)
H = timedelta(hours=1)

# A plain week: Monday 2 March 2026 (CET, +01:00) has no holiday anywhere near it.
MON = (2026, 3, 2)
TUE = (2026, 3, 3)
FRI = (2026, 3, 6)
SAT = (2026, 3, 7)
SUN = (2026, 3, 8)
NEXT_MON = (2026, 3, 9)


@pytest.mark.parametrize(
    ("t", "is_open"),
    [
        (ams(*MON, 8, 59, 59), False),
        (ams(*MON, 9, 0, 0), True),
        (ams(*MON, 9, 0, 1), True),
        (ams(*MON, 16, 59, 59), True),
        (ams(*MON, 17, 0, 0), False),
        (ams(*MON, 17, 0, 1), False),
        (ams(*SAT, 12, 0, 0), False),
        (ams(*SUN, 10, 0, 0), False),
    ],
)
def test_open_one_second_before_at_and_after_opening_and_closing(
    t: datetime, is_open: bool
) -> None:
    assert bol().is_open(t) is is_open


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (ams(*MON, 8, 59, 59), ams(*MON, 9, 0, 0), timedelta(0)),
        (ams(*MON, 8, 59, 59), ams(*MON, 9, 0, 1), S),
        (ams(*MON, 9, 0, 0), ams(*MON, 9, 0, 1), S),
        (ams(*MON, 16, 59, 59), ams(*MON, 17, 0, 0), S),
        (ams(*MON, 16, 59, 59), ams(*MON, 17, 0, 1), S),
        (ams(*MON, 17, 0, 0), ams(*TUE, 9, 0, 0), timedelta(0)),
        (ams(*MON, 9, 0, 0), ams(*MON, 17, 0, 0), 8 * H),
        (ams(*MON, 0, 0, 0), ams(*NEXT_MON, 0, 0, 0), 40 * H),
        (ams(*FRI, 16, 59, 59), ams(*NEXT_MON, 9, 0, 1), 2 * S),
        (ams(*TUE, 9, 0, 0), ams(*MON, 9, 0, 0), -8 * H),  # reversed: negative
    ],
)
def test_working_time_around_opening_and_closing(
    start: datetime, end: datetime, expected: timedelta
) -> None:
    assert bol().working_time(start, end) == expected


def test_monday_nine_plus_eight_hours_is_tuesday_nine() -> None:
    """docs/clock.md: 8 working hours run out at Monday 17:00, a closing time, so the last
    on-time instant is the next opening: Tuesday 09:00:00."""
    cal = bol()
    start = ams(*MON, 9, 0, 0)
    due = cal.deadline(start, 8 * H)
    assert due == ams(*TUE, 9, 0, 0)
    assert due.isoformat() == "2026-03-03T09:00:00+01:00"
    assert cal.working_time(start, ams(*MON, 17, 0, 0)) == 8 * H  # an evening reply is on time
    assert cal.working_time(start, due) == 8 * H


@pytest.mark.parametrize(
    ("reply", "on_time"),
    [
        (ams(*MON, 16, 59, 59), True),
        (ams(*MON, 17, 0, 0), True),
        (ams(*MON, 23, 30, 0), True),
        (ams(*TUE, 8, 59, 59), True),
        (ams(*TUE, 9, 0, 0), True),
        (ams(*TUE, 9, 0, 1), False),
    ],
)
def test_reply_one_second_before_at_and_after_the_deadline(reply: datetime, on_time: bool) -> None:
    cal = bol()
    assert (cal.working_time(ams(*MON, 9, 0, 0), reply) <= 8 * H) is on_time


@pytest.mark.parametrize(
    ("reply", "worked"),
    [
        (ams(*TUE, 10, 29, 59), 8 * H - S),
        (ams(*TUE, 10, 30, 0), 8 * H),
        (ams(*TUE, 10, 30, 1), 8 * H + S),
    ],
)
def test_deadline_inside_opening_hours(reply: datetime, worked: timedelta) -> None:
    cal = bol()
    start = ams(*MON, 10, 30, 0)
    assert cal.deadline(start, 8 * H) == ams(*TUE, 10, 30, 0)
    assert cal.working_time(start, reply) == worked


@pytest.mark.parametrize(
    ("start", "allowance", "due"),
    [
        # a clock that starts outside opening hours starts at the next opening
        (ams(*SAT, 14, 0, 0), 8 * H, ams(2026, 3, 10, 9, 0, 0)),
        (ams(*SUN, 23, 59, 59), 1 * H, ams(*NEXT_MON, 10, 0, 0)),
        (ams(*MON, 7, 0, 0), 1 * H, ams(*MON, 10, 0, 0)),
        (ams(*MON, 8, 59, 59), 1 * S, ams(*MON, 9, 0, 1)),
        (ams(*MON, 17, 0, 0), 1 * S, ams(*TUE, 9, 0, 1)),
        (ams(*FRI, 17, 0, 0), 1 * S, ams(*NEXT_MON, 9, 0, 1)),
        # running out exactly at closing: the next opening
        (ams(*FRI, 16, 59, 59), 1 * S, ams(*NEXT_MON, 9, 0, 0)),
        (ams(*FRI, 16, 0, 0), 1 * H, ams(*NEXT_MON, 9, 0, 0)),
        (ams(*FRI, 16, 0, 1), 1 * H, ams(*NEXT_MON, 9, 0, 1)),
        # no allowance: the start itself, or the next opening when closed
        (ams(*MON, 10, 0, 0), timedelta(0), ams(*MON, 10, 0, 0)),
        (ams(*SAT, 10, 0, 0), timedelta(0), ams(*NEXT_MON, 9, 0, 0)),
        (ams(*MON, 17, 0, 0), timedelta(0), ams(*TUE, 9, 0, 0)),
        # a week and more
        (ams(*MON, 9, 0, 0), 40 * H, ams(*NEXT_MON, 9, 0, 0)),
        (ams(*MON, 12, 0, 0), 24 * H, ams(2026, 3, 5, 12, 0, 0)),
    ],
)
def test_deadlines(start: datetime, allowance: timedelta, due: datetime) -> None:
    cal = bol()
    got = cal.deadline(start, allowance)
    assert got == due
    assert got.utcoffset() == due.utcoffset()  # expressed in the calendar's zone
    assert cal.working_time(start, got) == allowance
    assert cal.working_time(start, got + S) == allowance + S


def test_contract_example_koningsdag_for_a_dutch_seller() -> None:
    """Friday 30 minutes, Monday 27 April is Koningsdag, Tuesday 7.5 hours."""
    due = bol("NL").deadline(datetime.fromisoformat("2026-04-24T16:30:00+02:00"), 8 * H)
    assert due.isoformat() == "2026-04-28T16:30:00+02:00"


def test_contract_example_koningsdag_is_a_working_day_for_a_belgian_seller() -> None:
    due = bol("BE").deadline(datetime.fromisoformat("2026-04-24T16:30:00+02:00"), 8 * H)
    assert due.isoformat() == "2026-04-27T16:30:00+02:00"


def test_contract_example_monday_nine() -> None:
    due = bol("NL").deadline(datetime.fromisoformat("2026-03-02T09:00:00+01:00"), 8 * H)
    assert due.isoformat() == "2026-03-03T09:00:00+01:00"


def test_start_given_in_another_offset_is_the_same_instant() -> None:
    cal = bol()
    utc_start = datetime.fromisoformat("2026-03-02T08:00:00+00:00")  # 09:00 in Amsterdam
    assert cal.deadline(utc_start, 8 * H) == ams(*TUE, 9, 0, 0)
    assert cal.working_time(utc_start, datetime.fromisoformat("2026-03-02T16:00:00Z")) == 8 * H


@pytest.mark.parametrize(
    ("t", "opens"),
    [
        (ams(*MON, 8, 59, 59), ams(*MON, 9, 0, 0)),
        (ams(*MON, 9, 0, 0), ams(*MON, 9, 0, 0)),
        (ams(*MON, 17, 0, 0), ams(*TUE, 9, 0, 0)),
        (ams(*FRI, 17, 0, 0), ams(*NEXT_MON, 9, 0, 0)),
        (ams(2026, 4, 24, 17, 0, 0), ams(2026, 4, 28, 9, 0, 0)),  # over Koningsdag
    ],
)
def test_next_open(t: datetime, opens: datetime) -> None:
    assert bol().next_open(t) == opens


@pytest.mark.parametrize(
    ("day", "nl_seller", "be_seller", "phone"),
    [
        ((2026, 4, 27), False, True, False),  # Koningsdag: NL only
        ((2026, 5, 5), False, True, False),  # Bevrijdingsdag (not a lustrum year): NL only
        ((2026, 7, 21), False, False, True),  # Belgian national day: bol's NL+BE set, not phone
        ((2025, 12, 26), False, True, False),  # Tweede Kerstdag: not a Belgian legal holiday
        ((2026, 4, 3), True, True, True),  # Good Friday: official in neither country
        ((2026, 5, 14), False, False, False),  # Ascension: both
    ],
)
def test_holiday_sets_per_seller_country_and_norm(
    day: tuple[int, int, int], nl_seller: bool, be_seller: bool, phone: bool
) -> None:
    for cal, expected in (
        (bol("NL"), nl_seller),
        (bol("BE"), be_seller),
        (bol("NL", "phone"), phone),
    ):
        assert cal.is_open(ams(*day, 9, 0, 0)) is expected, cal.name
        assert cal.is_open(ams(*day, 8, 59, 59)) is False


def test_a_holiday_is_closed_from_midnight_to_midnight() -> None:
    cal = bol("NL")
    # Thursday 23 April .. Tuesday 28 April 2026 around Koningsdag: Thu, Fri, (weekend, Koningsdag), Tue
    assert cal.working_time(ams(2026, 4, 23, 0, 0), ams(2026, 4, 29, 0, 0)) == 24 * H
    assert cal.working_time(ams(2026, 4, 27, 0, 0), ams(2026, 4, 28, 0, 0)) == timedelta(0)
    assert bol("BE").working_time(ams(2026, 4, 27, 0, 0), ams(2026, 4, 28, 0, 0)) == 8 * H

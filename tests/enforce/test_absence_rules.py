"""Absence notice with the clock: working days skip weekends and holidays; the boundaries of
"more than 5 working days" and "at least two weeks ahead"."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from servicenorm.enforce.absence_rules import check_notice, working_days
from servicenorm.policy import load_preset

P = load_preset("swopify")
assert P.absence is not None
RULE = P.absence
CAL = P.calendar(RULE.calendar, "NL")
AMS = ZoneInfo("Europe/Amsterdam")


def test_working_days_skip_weekends_and_dutch_holidays() -> None:
    assert working_days(CAL, date(2026, 3, 2), date(2026, 3, 6)) == 5  # Mon-Fri
    assert working_days(CAL, date(2026, 3, 2), date(2026, 3, 9)) == 6  # and the next Monday
    # 20-28 April 2026: seven weekdays, but Monday 27 April is Koningsdag
    assert working_days(CAL, date(2026, 4, 20), date(2026, 4, 28)) == 6
    # Christmas week 2026: 25 and 26 December (Fri, Sat) are holidays
    assert working_days(CAL, date(2026, 12, 21), date(2026, 12, 27)) == 4


def test_five_working_days_need_no_notice_six_do() -> None:
    at = datetime(2026, 3, 1, 12, tzinfo=AMS)
    five = check_notice(
        RULE, CAL, date(2026, 3, 2), date(2026, 3, 8), at
    )  # Mon-Sun: 5 working days
    assert five.working_days == 5 and not five.needs_notice and not five.late
    six = check_notice(RULE, CAL, date(2026, 3, 2), date(2026, 3, 9), at)
    assert six.needs_notice and six.late


def test_notice_boundary_is_midnight_two_weeks_before_the_first_day() -> None:
    start, end = date(2026, 3, 16), date(2026, 3, 27)
    deadline = datetime(2026, 3, 2, 0, 0, tzinfo=AMS)
    assert not check_notice(RULE, CAL, start, end, deadline - timedelta(seconds=1)).late
    at = check_notice(RULE, CAL, start, end, deadline)
    assert not at.late and at.needed_by == deadline
    assert check_notice(RULE, CAL, start, end, deadline + timedelta(seconds=1)).late


def test_a_holiday_can_bring_a_long_absence_under_the_limit() -> None:
    # Tue 21 April - Mon 27 April 2026: five weekdays with Koningsdag = 4 working days
    late_notice = datetime(2026, 4, 20, 9, tzinfo=AMS)
    assert not check_notice(
        RULE, CAL, date(2026, 4, 21), date(2026, 4, 27), late_notice
    ).needs_notice

"""Every official holiday of 2025-2027 pinned by date (docs/clock.md). The holiday sets are the
`holidays` library narrowed by holiday_sets.toml; a library update that moves, adds or drops
a day fails here before it moves a deadline."""

from __future__ import annotations

from datetime import date

import pytest

from servicenorm.clock import Calendar, holiday_set

from .calendars import ams, bol

D = date

# Algemene termijnenwet art. 3: New Year, Easter Monday, Koningsdag (26 April when the 27th
# is a Sunday), 5 May every year, Ascension, Whit Monday, 25 and 26 December. No Good Friday.
NL_ATW = {
    2025: [
        D(2025, 1, 1),
        D(2025, 4, 21),
        D(2025, 4, 26),
        D(2025, 5, 5),
        D(2025, 5, 29),
        D(2025, 6, 9),
        D(2025, 12, 25),
        D(2025, 12, 26),
    ],
    2026: [
        D(2026, 1, 1),
        D(2026, 4, 6),
        D(2026, 4, 27),
        D(2026, 5, 5),
        D(2026, 5, 14),
        D(2026, 5, 25),
        D(2026, 12, 25),
        D(2026, 12, 26),
    ],
    2027: [
        D(2027, 1, 1),
        D(2027, 3, 29),
        D(2027, 4, 27),
        D(2027, 5, 5),
        D(2027, 5, 6),
        D(2027, 5, 17),
        D(2027, 12, 25),
        D(2027, 12, 26),
    ],
}
# Belgium's ten legal holidays: New Year, Easter Monday, 1 May, Ascension, Whit Monday,
# 21 July, 15 August, 1 November, 11 November, 25 December. Not 26 December.
BE_LEGAL = {
    2025: [
        D(2025, 1, 1),
        D(2025, 4, 21),
        D(2025, 5, 1),
        D(2025, 5, 29),
        D(2025, 6, 9),
        D(2025, 7, 21),
        D(2025, 8, 15),
        D(2025, 11, 1),
        D(2025, 11, 11),
        D(2025, 12, 25),
    ],
    2026: [
        D(2026, 1, 1),
        D(2026, 4, 6),
        D(2026, 5, 1),
        D(2026, 5, 14),
        D(2026, 5, 25),
        D(2026, 7, 21),
        D(2026, 8, 15),
        D(2026, 11, 1),
        D(2026, 11, 11),
        D(2026, 12, 25),
    ],
    2027: [
        D(2027, 1, 1),
        D(2027, 3, 29),
        D(2027, 5, 1),
        D(2027, 5, 6),
        D(2027, 5, 17),
        D(2027, 7, 21),
        D(2027, 8, 15),
        D(2027, 11, 1),
        D(2027, 11, 11),
        D(2027, 12, 25),
    ],
}
GOOD_FRIDAYS = [D(2025, 4, 18), D(2026, 4, 3), D(2027, 3, 26)]


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_nl_atw_days(year: int) -> None:
    assert sorted(holiday_set("NL-Atw").dates(range(year, year + 1))) == NL_ATW[year]


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_be_legal_days(year: int) -> None:
    days = sorted(holiday_set("BE-legal").dates(range(year, year + 1)))
    assert days == BE_LEGAL[year]
    assert len(days) == 10
    assert D(year, 12, 26) not in days


def test_koningsdag_moves_to_saturday_when_27_april_is_a_sunday() -> None:
    assert D(2025, 4, 27).weekday() == 6
    days = holiday_set("NL-Atw").dates(range(2025, 2026))
    assert D(2025, 4, 26) in days
    assert D(2025, 4, 27) not in days


@pytest.mark.parametrize("year", [2025, 2026, 2027, 2028, 2029, 2030])
def test_liberation_day_every_year_not_only_lustrum_years(year: int) -> None:
    assert D(year, 5, 5) in holiday_set("NL-Atw").dates(range(year, year + 1))


@pytest.mark.parametrize("good_friday", GOOD_FRIDAYS)
def test_good_friday_is_not_an_official_holiday(good_friday: date) -> None:
    assert good_friday.weekday() == 4
    for name in ("NL-Atw", "BE-legal"):
        assert good_friday not in holiday_set(name).dates(
            range(good_friday.year, good_friday.year + 1)
        )
    assert bol("NL").is_open(ams(good_friday.year, good_friday.month, good_friday.day, 10, 0))


def _weekdays(days: list[date]) -> list[date]:
    return [d for d in days if d.weekday() < 5]


@pytest.mark.parametrize(
    "day", _weekdays(sorted({d for ds in (*NL_ATW.values(), *BE_LEGAL.values()) for d in ds}))
)
def test_bol_nl_seller_closed_on_every_nl_and_be_holiday(day: date) -> None:
    cal = bol("NL")
    assert not cal.is_open(ams(day.year, day.month, day.day, 12, 0))
    assert (
        cal.working_time(
            ams(day.year, day.month, day.day, 0, 0), ams(day.year, day.month, day.day, 23, 59)
        ).total_seconds()
        == 0
    )


@pytest.mark.parametrize("day", _weekdays([d for ds in NL_ATW.values() for d in ds]))
def test_bol_be_seller_closed_on_be_days_only(day: date) -> None:
    be_days = {d for ds in BE_LEGAL.values() for d in ds}
    assert bol("BE").is_open(ams(day.year, day.month, day.day, 12, 0)) is (day not in be_days)


def test_the_library_default_for_nl_differs_and_is_not_what_presets_use() -> None:
    """The `holidays` default NL set has Good Friday and 5 May in lustrum years only: the
    reason the NL-Atw set exists (docs/clock.md)."""
    lib = holiday_set("NL").dates(range(2026, 2027))
    assert D(2026, 5, 5) not in lib


def test_calendar_holidays_merge_sets_and_name_the_days() -> None:
    days = bol("NL").holidays(range(2026, 2027))
    assert days[D(2026, 4, 27)] == "King's Day"
    assert days[D(2026, 7, 21)] == "National Day"
    assert days[D(2026, 1, 1)] == "New Year's Day"  # in both sets, named once
    assert set(days) == set(NL_ATW[2026]) | set(BE_LEGAL[2026])


def test_unknown_holiday_set_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown holiday set 'XX-nope'"):
        holiday_set("XX-nope")
    with pytest.raises(ValueError, match="unknown holiday set"):
        Calendar.from_hours("UTC", {"mon": [["09:00", "17:00"]]}, holiday_sets=("Narnia",))


def test_other_countries_use_the_library_public_holidays() -> None:
    de = holiday_set("DE").dates(range(2026, 2027))
    assert D(2026, 10, 3) in de  # Tag der Deutschen Einheit
    assert D(2026, 4, 3) in de  # Good Friday is a public holiday in Germany

"""Calendars from TOML (the `--calendar FILE` format of the CLI contract)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from servicenorm.clock import load_calendar

BERLIN = ZoneInfo("Europe/Berlin")

CONTRACT_EXAMPLE = """\
zone = "Europe/Berlin"            # IANA zone; "UTC" is fine
[hours]                           # weekday -> intervals, local wall clock; absent day = closed
mon = [["09:00", "12:00"], ["13:00", "17:00"]]
sat = [["00:00", "24:00"]]
[holidays]                        # all optional
countries = ["DE"]                # public holidays of the `holidays` library
closed = ["2016-11-01"]           # extra closed local dates
open = ["2026-04-03"]             # dates removed from the country sets
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_contract_example_loads(tmp_path: Path) -> None:
    cal = load_calendar(write(tmp_path, CONTRACT_EXAMPLE))
    assert cal.zone_name == "Europe/Berlin"
    assert cal.weekly[0] == ((9 * 3600, 12 * 3600), (13 * 3600, 17 * 3600))
    assert cal.weekly[5] == ((0, 86_400),)
    assert cal.weekly[1] == cal.weekly[6] == ()
    assert cal.holiday_sets == ("DE",)
    assert cal.closed == frozenset({date(2016, 11, 1)})
    assert cal.reopened == frozenset({date(2026, 4, 3)})
    days = cal.holidays(range(2026, 2027))
    assert date(2026, 4, 3) not in days  # Good Friday reopened
    assert date(2026, 4, 6) in days  # Easter Monday still closed
    h = timedelta(hours=1)
    mon = datetime(2026, 3, 2, 0, 0, tzinfo=BERLIN)
    assert cal.working_time(mon, mon + timedelta(days=7)) == 7 * h + 24 * h
    assert cal.deadline(datetime(2026, 3, 2, 11, 0, tzinfo=BERLIN), h) == datetime(
        2026, 3, 2, 13, 0, tzinfo=BERLIN
    )


def test_minimal_file_and_sets(tmp_path: Path) -> None:
    cal = load_calendar(
        write(
            tmp_path,
            'zone = "UTC"\nname = "mine"\n[hours]\nfri = [["10:00", "11:00"]]\n[holidays]\nsets = ["NL-Atw"]\n',
        )
    )
    assert cal.name == "mine"
    assert cal.holiday_sets == ("NL-Atw",)
    assert date(2026, 5, 5) in cal.holidays(range(2026, 2027))


def test_dates_may_be_toml_dates_or_strings(tmp_path: Path) -> None:
    cal = load_calendar(
        write(
            tmp_path,
            'zone = "UTC"\n[hours]\nmon = [["09:00", "17:00"]]\n[holidays]\nclosed = [2026-03-02, "2026-03-09"]\n',
        )
    )
    assert cal.closed == frozenset({date(2026, 3, 2), date(2026, 3, 9)})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('zone = "UTC"\n[hours\nmon = []\n', "not valid TOML"),
        ('[hours]\nmon = [["09:00", "17:00"]]\n', "missing key 'zone'"),
        ('zone = "Mars/Olympus"\n', "unknown time zone 'Mars/Olympus'"),
        ('zone = "UTC"\ntimezone = "UTC"\n', "unknown key 'timezone'"),
        ('zone = "UTC"\nhours = "9-5"\n', "hours: expected a table"),
        ('zone = "UTC"\n[hours]\nmonday = [["09:00", "17:00"]]\n', "unknown weekday 'monday'"),
        ('zone = "UTC"\n[hours]\nmon = [["9:00", "17:00"]]\n', "'9:00' is not a time of day HH:MM"),
        ('zone = "UTC"\n[hours]\nmon = [["09:00", "25:00"]]\n', "'25:00' is not a time of day"),
        ('zone = "UTC"\n[hours]\nmon = [["17:00", "09:00"]]\n', "ends before it starts"),
        (
            'zone = "UTC"\n[hours]\nmon = [["09:00", "13:00"], ["12:00", "17:00"]]\n',
            "intervals overlap",
        ),
        ('zone = "UTC"\n[hours]\nmon = [["09:00", "12:00", "17:00"]]\n', "each interval is a pair"),
        ('zone = "UTC"\n[hours]\nmon = "09:00-17:00"\n', "each interval is a pair"),
        ('zone = "UTC"\nholidays = ["NL"]\n', "holidays: expected a table"),
        ('zone = "UTC"\n[holidays]\ncountry = ["NL"]\n', "unknown key 'country'"),
        ('zone = "UTC"\n[holidays]\ncountries = ["XX"]\n', "unknown holiday set 'XX'"),
        ('zone = "UTC"\n[holidays]\nsets = ["NL-Atv"]\n', "unknown holiday set 'NL-Atv'"),
        ('zone = "UTC"\n[holidays]\nclosed = "2026-01-01"\n', "closed: expected a list of dates"),
        (
            'zone = "UTC"\n[holidays]\nclosed = ["2026-02-30"]\n',
            "'2026-02-30' is not a date YYYY-MM-DD",
        ),
        ('zone = "UTC"\n[holidays]\nopen = ["tomorrow"]\n', "open: 'tomorrow' is not a date"),
    ],
    ids=[
        "syntax",
        "no-zone",
        "bad-zone",
        "unknown-key",
        "hours-not-table",
        "bad-weekday",
        "one-digit-hour",
        "hour-25",
        "reversed",
        "overlap",
        "triple",
        "string-interval",
        "holidays-not-table",
        "unknown-holiday-key",
        "unknown-country",
        "unknown-set",
        "closed-not-list",
        "impossible-date",
        "open-not-date",
    ],
)
def test_malformed_files_are_one_clear_line_naming_the_file(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ValueError, match=message) as info:
        load_calendar(path)
    text_of_error = str(info.value)
    assert "\n" not in text_of_error
    assert (
        str(path) in text_of_error
        or "unknown time zone" in text_of_error
        or "unknown holiday set" in text_of_error
    )


@pytest.mark.parametrize("key", ["countries", "sets"])
def test_holiday_names_must_be_a_list_not_a_string(tmp_path: Path, key: str) -> None:
    """`countries = "DE"` once read as the sets 'D' and 'E' and blamed an unknown set 'D'."""
    path = write(tmp_path, f'zone = "UTC"\n[holidays]\n{key} = "DE"\n')
    with pytest.raises(ValueError, match=f"holidays.{key}: expected a list of names"):
        load_calendar(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        load_calendar(tmp_path / "nope.toml")

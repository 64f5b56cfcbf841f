"""The calendars the clock tests run on, as factories (one instance each, so a kernel span
is built once per test process)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from servicenorm.clock import Calendar
from servicenorm.policy import load_preset

AMS = ZoneInfo("Europe/Amsterdam")
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WORKDAYS = WEEK[:5]


def local(zone: ZoneInfo, *fields: int, fold: int = 0) -> datetime:
    """An aware datetime from wall-clock fields in `zone`."""
    return datetime(*fields, tzinfo=zone, fold=fold)  # type: ignore[misc]


def ams(*fields: int, fold: int = 0) -> datetime:
    return local(AMS, *fields, fold=fold)


def bol(country: str = "NL", norm: str = "response") -> Calendar:
    policy = load_preset("bol")
    return (
        policy.response_calendar(country) if norm == "response" else policy.phone_calendar(country)
    )


@cache
def named(name: str) -> Calendar:
    """Every calendar of the property tests, by a readable id."""
    if name == "bol-NL":
        return bol("NL")
    if name == "bol-BE":
        return bol("BE")
    if name == "24/7-UTC":
        return Calendar.continuous()
    if name == "24/7-Amsterdam":
        return Calendar.from_hours("Europe/Amsterdam", {d: [["00:00", "24:00"]] for d in WEEK})
    if name == "split-hours":
        return Calendar.from_hours(
            "Europe/Amsterdam",
            {d: [["09:00", "12:00"], ["13:00", "17:30"]] for d in WORKDAYS},
            holiday_sets=("NL-Atw",),
        )
    if name == "weekend-nights":
        # Weekend only, with Sunday night hours across both DST changes (02:00-03:00).
        return Calendar.from_hours(
            "Europe/Amsterdam",
            {"sat": [["10:00", "16:00"]], "sun": [["00:00", "04:00"], ["20:00", "24:00"]]},
        )
    if name == "new-york":
        return Calendar.from_hours(
            "America/New_York", {d: [["08:00", "18:00"]] for d in WORKDAYS}, holiday_sets=("US",)
        )
    if name == "kolkata":
        return Calendar.from_hours(
            "Asia/Kolkata",
            {d: [["09:30", "18:00"]] for d in (*WORKDAYS, "sat")},
            holiday_sets=("IN",),
        )
    if name == "lord-howe":
        # Lord Howe Island moves its clocks by 30 minutes at 02:00.
        return Calendar.from_hours(
            "Australia/Lord_Howe", {d: [["01:00", "03:00"], ["12:00", "12:30"]] for d in WEEK}
        )
    if name == "coffee-breaks":
        # Two open segments inside one UTC hour (10:00-10:15 + 10:30-11:00, 12:00 + 12:45):
        # the hour table's second segment.
        return Calendar.from_hours(
            "Europe/Amsterdam",
            {d: [["08:00", "10:15"], ["10:30", "12:00"], ["12:45", "17:00"]] for d in WORKDAYS},
            holiday_sets=("NL-Atw",),
        )
    if name == "fine-grained":
        # Three intervals inside one UTC hour: no hour table, the exact search path only.
        return Calendar.from_hours(
            "Europe/Amsterdam",
            {
                d: [["09:00", "09:10"], ["09:20", "09:30"], ["09:40", "09:50"], ["14:00", "15:00"]]
                for d in WORKDAYS
            },
        )
    raise KeyError(name)


PROPERTY_CALENDARS = (
    "bol-NL",
    "bol-BE",
    "24/7-UTC",
    "24/7-Amsterdam",
    "split-hours",
    "weekend-nights",
    "new-york",
    "kolkata",
    "lord-howe",
    "coffee-breaks",
    "fine-grained",
)

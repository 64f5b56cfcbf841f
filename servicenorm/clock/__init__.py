"""The working-time clock (docs/clock.md): one kernel for the helpdesk, metrics, queue and Spark."""

from servicenorm.clock.calendar import WEEKDAYS, Calendar, parse_weekly
from servicenorm.clock.holidays import HolidaySet, holiday_set
from servicenorm.clock.instants import (
    NaiveDatetimeError,
    format_duration,
    from_us,
    parse_duration,
    parse_instant,
    require_aware,
    to_us,
)
from servicenorm.clock.tomlfile import calendar_from_mapping, load_calendar

__all__ = [
    "WEEKDAYS",
    "Calendar",
    "HolidaySet",
    "NaiveDatetimeError",
    "calendar_from_mapping",
    "format_duration",
    "from_us",
    "holiday_set",
    "load_calendar",
    "parse_duration",
    "parse_instant",
    "parse_weekly",
    "require_aware",
    "to_us",
]

"""Calendars from TOML, in the format of the CLI contract (`--calendar FILE`)."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from servicenorm.clock.calendar import Calendar, parse_weekly

_KEYS = {"zone", "hours", "holidays", "name"}
_HOLIDAY_KEYS = {"countries", "sets", "closed", "open"}


def _dates(values: Any, where: str) -> frozenset[date]:
    if not isinstance(values, list):
        raise ValueError(f"{where}: expected a list of dates YYYY-MM-DD")
    out = set()
    for v in values:
        try:
            out.add(v if isinstance(v, date) else date.fromisoformat(str(v)))
        except ValueError:
            raise ValueError(f"{where}: {v!r} is not a date YYYY-MM-DD") from None
    return frozenset(out)


def _names(values: Any, where: str) -> list[str]:
    if not isinstance(values, list):  # a bare string would be read letter by letter
        raise ValueError(f'{where}: expected a list of names, e.g. ["NL"]')
    return [str(v) for v in values]


def calendar_from_mapping(data: dict[str, Any], where: str = "calendar") -> Calendar:
    """A calendar from the contract's TOML structure (already parsed)."""
    unknown = set(data) - _KEYS
    if unknown:
        raise ValueError(
            f"{where}: unknown key {sorted(unknown)[0]!r}; expected zone, hours, holidays"
        )
    if "zone" not in data:
        raise ValueError(f"{where}: missing key 'zone' (an IANA time zone such as Europe/Berlin)")
    hours = data.get("hours", {})
    if not isinstance(hours, dict):
        raise ValueError(f"{where}.hours: expected a table weekday -> intervals")
    hol = data.get("holidays", {})
    if not isinstance(hol, dict):
        raise ValueError(f"{where}.holidays: expected a table")
    unknown = set(hol) - _HOLIDAY_KEYS
    if unknown:
        raise ValueError(
            f"{where}.holidays: unknown key {sorted(unknown)[0]!r}; expected countries, sets, closed, open"
        )
    sets = _names(hol.get("countries", []), f"{where}.holidays.countries") + _names(
        hol.get("sets", []), f"{where}.holidays.sets"
    )
    return Calendar(
        zone_name=str(data["zone"]),
        weekly=parse_weekly(hours, f"{where}.hours"),
        holiday_sets=tuple(sets),
        closed=_dates(hol.get("closed", []), f"{where}.holidays.closed"),
        reopened=_dates(hol.get("open", []), f"{where}.holidays.open"),
        name=str(data.get("name", where)),
    )


def load_calendar(path: Path) -> Calendar:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ValueError(f"{path}: cannot read ({e.strerror})") from None
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"{path}: not valid TOML: {e}") from None
    return calendar_from_mapping(data, str(path))

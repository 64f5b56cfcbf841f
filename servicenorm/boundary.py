"""What any interface accepts from outside, as pydantic types and checks shared by the API's
request schemas and the event contract's models (issue 11):

* `Instant`: an ISO 8601 string with an offset inside the supported range (clock.instants);
  numbers are refused, where pydantic alone would read `774` as Unix seconds;
* `Day`: an ISO date inside the same range;
* `unsafe_text`: text a database cannot store the same way on every store (a NUL byte, which
  PostgreSQL refuses, or a lone surrogate, which no UTF-8 encoder writes).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator

from servicenorm.clock.instants import END_INSTANT, FIRST_INSTANT, SUPPORTED_RANGE, check_range

ISO_EXAMPLE = "2026-03-02T10:15:00+01:00"


def _iso_text(v: object) -> object:
    if isinstance(v, datetime):  # from Python callers (tests, the demo generator)
        return v
    if not isinstance(v, str):
        raise ValueError(f"expected an ISO 8601 time with an offset such as {ISO_EXAMPLE}")
    if v.strip().lstrip("+-").replace(".", "", 1).isdigit():
        raise ValueError(
            f"{v!r} is a number; expected an ISO 8601 time with an offset such as {ISO_EXAMPLE}"
        )
    return v


def _in_range(t: datetime) -> datetime:
    return check_range(t)


Instant = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_in_range)]

FIRST_DAY, LAST_DAY = FIRST_INSTANT.date(), date(END_INSTANT.year - 1, 12, 31)


def _iso_date(v: object) -> object:
    if isinstance(v, date):
        return v
    if not isinstance(v, str):
        raise ValueError("expected an ISO 8601 date such as 2026-03-02")
    return v


def _day_in_range(d: date) -> date:
    if not FIRST_DAY <= d <= LAST_DAY:
        raise ValueError(f"date {d.isoformat()} is outside the supported range {SUPPORTED_RANGE}")
    return d


Day = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_day_in_range)]


def _text_problem(s: str) -> str | None:
    if "\x00" in s:
        return "must not contain a NUL byte (\\u0000)"
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode text (a lone surrogate such as \\ud800)"
    return None


def _printable(s: str) -> str:
    """`s` as text any JSON encoder can write (a bad key is named in the error)."""
    return s.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\u0000")


def unsafe_text(value: Any, path: str = "") -> str | None:
    """What is wrong with the first unstorable string in `value` (strings, dict keys and
    values, lists), and where below `value` it is; None when every string is fine. Nested
    models are skipped: their own fields were checked where they were validated."""
    if isinstance(value, str):
        problem = _text_problem(value)
        return None if problem is None else (f"{path}: {problem}" if path else problem)
    if isinstance(value, BaseModel):
        return None
    if isinstance(value, Mapping):
        for k, v in value.items():
            label = _printable(str(k))
            where = f"{path}.{label}" if path else label
            found = unsafe_text(k, where + " (key)") if isinstance(k, str) else None
            found = found or unsafe_text(v, where)
            if found:
                return found
        return None
    if isinstance(value, list | tuple | set | frozenset):
        for i, v in enumerate(value):
            found = unsafe_text(v, f"{path}.{i}" if path else str(i))
            if found:
                return found
    return None


# values with no text in them (after validation), passed without a look
_NO_TEXT = frozenset({bool, int, float, Decimal, datetime, date, type(None)})


def refuse_unsafe_text(value: Any) -> Any:
    """A field validator: every string in `value` must be storable (see `unsafe_text`). It
    runs on every field of every event a bulk ingest reads: ASCII text without a NUL byte
    (which cannot hold a lone surrogate) and values without text pass at once."""
    kind = type(value)
    if (kind is str and "\x00" not in value and value.isascii()) or kind in _NO_TEXT:
        return value
    problem = unsafe_text(value)
    if problem is not None:
        raise ValueError(problem)
    return value

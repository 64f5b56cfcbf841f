"""Instants at the boundary: parsing, epoch microseconds, durations.

Every instant inside servicenorm is an int64 count of microseconds since the Unix epoch
(UTC). Conversion happens here, once, and refuses naive datetimes: a time without an
offset is an error, never silently read as UTC or as local time (docs/clock.md).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo

US_PER_S = 1_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# The instants servicenorm accepts at every interface (API, events, CLI) and computes with:
# [FIRST_INSTANT, END_INSTANT). The clock builds working-time tables per year, so an instant in
# the year 3000 would cost seconds and hundreds of MB; outside this range is a clear error.
FIRST_INSTANT = EPOCH
END_INSTANT = datetime(2101, 1, 1, tzinfo=UTC)
SUPPORTED_RANGE = "1970-01-01T00:00:00Z .. 2100-12-31T23:59:59Z"


class NaiveDatetimeError(ValueError):
    """A datetime without a UTC offset reached a place that needs an instant."""


class InstantRangeError(ValueError):
    """An instant outside the supported range (FIRST_INSTANT .. END_INSTANT)."""


def check_range(t: datetime, what: str = "time") -> datetime:
    """`t` itself when it lies in the supported range; InstantRangeError otherwise."""
    if not FIRST_INSTANT <= t < END_INSTANT:
        raise InstantRangeError(
            f"{what} {t.isoformat()} is outside the supported range {SUPPORTED_RANGE}"
        )
    return t


def require_aware(t: datetime, what: str = "time") -> datetime:
    if t.tzinfo is None or t.tzinfo.utcoffset(t) is None:
        raise NaiveDatetimeError(
            f"{what} {t.isoformat()} has no UTC offset; give one, e.g. +01:00 or Z"
        )
    return t


_ONE_US = timedelta(microseconds=1)


def to_us(t: datetime) -> int:
    """Epoch microseconds of an aware datetime (exact integer arithmetic: a timedelta floor-
    divided by one microsecond, one C operation; bulk ingest converts every stored instant)."""
    try:
        return (t - EPOCH) // _ONE_US
    except TypeError:  # a naive datetime cannot be subtracted from an aware one
        require_aware(t)
        raise


def from_us(us: int, zone: tzinfo = UTC) -> datetime:
    return (EPOCH + timedelta(microseconds=int(us))).astimezone(zone)


def parse_instant(text: str, what: str = "time") -> datetime:
    """Parse ISO 8601 with an offset (`...+01:00` or `...Z`); a missing offset is an error."""
    try:
        t = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{what} {text!r} is not an ISO 8601 time such as 2026-03-02T10:15:00+01:00"
        ) from None
    return check_range(require_aware(t, f"{what} {text!r}:"), what)


_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_duration(text: str) -> timedelta:
    """`8h`, `1h30m`, `90s`, `24h`: hours, minutes, seconds in that order."""
    m = _DURATION.match(text.strip())
    if not text.strip() or m is None or not any(m.groups()):
        raise ValueError(
            f"duration {text!r} is not of the form Nh, Nm, Ns in that order (e.g. 8h, 1h30m, 90s)"
        )
    h, mi, s = (int(g) if g else 0 for g in m.groups())
    return timedelta(hours=h, minutes=mi, seconds=s)


def format_duration(d: timedelta) -> str:
    total = int(d.total_seconds())
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return "".join(f"{v}{u}" for v, u in ((h, "h"), (m, "m"), (s, "s")) if v) or "0s"


def isoformat_s(t: datetime) -> str:
    """ISO 8601 at seconds precision, as the CLI contract prints instants."""
    return t.replace(microsecond=0).isoformat() if t.microsecond == 0 else t.isoformat()

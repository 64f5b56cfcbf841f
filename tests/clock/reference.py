"""A plain, slow, day-by-day reference clock, written independently of `kernel.py`.

The definition it implements is the one docs/clock.md states in words: an instant is open
when its wall-clock reading in the calendar's zone falls on a date that is not closed, at a
time of day inside one of that weekday's `[start, end)` intervals (`24:00` = end of day).

`is_open_at` asks `zoneinfo` directly for each instant. Working time is the measure of the
open instants in `[a, b)`: the open state can change only where the wall-clock reading
crosses an interval boundary or midnight, or where the UTC offset changes, so the reference
lists those candidate instants day by day, sorts them and asks `is_open_at` once per piece.
Nothing here uses the kernel's interval lists, hour table or `searchsorted`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from servicenorm.clock import Calendar

US = 1_000_000
HOUR_US = 3600 * US
DAY_US = 86_400 * US
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def at(u: int) -> datetime:
    """The UTC datetime of epoch microseconds `u` (exact, no float)."""
    return EPOCH + timedelta(microseconds=u)


def micros(t: datetime) -> int:
    d = t - EPOCH
    return (d.days * 86_400 + d.seconds) * US + d.microseconds


def wall_number(day: date, seconds: int = 0) -> int:
    """A wall-clock reading as a number of microseconds (as if the zone were UTC)."""
    return (day - date(1970, 1, 1)).days * DAY_US + seconds * US


@dataclass
class RefCalendar:
    zone: ZoneInfo
    weekly: tuple[tuple[tuple[int, int], ...], ...]  # seconds from midnight, Monday first
    closed: frozenset[date]
    _day_points: dict[date, list[int]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, cal: Calendar, years: range = range(2020, 2036)) -> RefCalendar:
        return cls(ZoneInfo(cal.zone_name), cal.weekly, frozenset(cal.holidays(years)))

    # --- the definition ---------------------------------------------------------------
    def offset(self, u: int) -> int:
        off = at(u).astimezone(self.zone).utcoffset()
        assert off is not None
        return (off.days * 86_400 + off.seconds) * US + off.microseconds

    def is_open_at(self, u: int) -> bool:
        local = at(u).astimezone(self.zone)
        day = local.date()
        if day in self.closed:
            return False
        of_day = ((local.hour * 60 + local.minute) * 60 + local.second) * US + local.microsecond
        return any(s * US <= of_day < e * US for s, e in self.weekly[day.weekday()])

    def local_date(self, u: int) -> date:
        return at(u).astimezone(self.zone).date()

    # --- where the open state may change -----------------------------------------------
    def _transitions(self, lo: int, hi: int) -> tuple[list[int], set[int]]:
        """UTC-offset changes in [lo, hi] (hourly samples, then bisection to the us) and
        every offset seen there."""
        found: list[int] = []
        offsets: set[int] = set()
        prev_u, prev_off = lo, self.offset(lo)
        offsets.add(prev_off)
        u = lo
        while u < hi:
            u = min(u + HOUR_US, hi)
            off = self.offset(u)
            offsets.add(off)
            if off != prev_off:
                a, b = prev_u, u  # offset(a) == prev_off != offset(b)
                while b - a > 1:
                    m = (a + b) // 2
                    if self.offset(m) == prev_off:
                        a = m
                    else:
                        b = m
                found.append(b)
                offsets.add(self.offset(b))
            prev_u, prev_off = u, off
        return found, offsets

    def day_points(self, day: date) -> list[int]:
        """Candidate instants at which the open state may change because of `day`."""
        if day in self._day_points:
            return self._day_points[day]
        mid = wall_number(day)
        transitions, offsets = self._transitions(mid - 2 * DAY_US, mid + 2 * DAY_US)
        walls = {0, 86_400}
        for s, e in self.weekly[day.weekday()]:
            walls |= {s, e}
        points = {mid + w * US - off for w in walls for off in offsets}
        points |= set(transitions)
        self._day_points[day] = sorted(points)
        return self._day_points[day]

    def pieces(self, a: int, b: int) -> Iterator[tuple[int, int, bool]]:
        """[a, b) cut into pieces of constant open state: (start, end, open)."""
        first = self.local_date(a) - timedelta(days=2)
        last = self.local_date(b) + timedelta(days=2)
        points = {a, b}
        day = first
        while day <= last:
            points.update(p for p in self.day_points(day) if a < p < b)
            day += timedelta(days=1)
        ordered = sorted(points)
        for p, q in pairwise(ordered):
            yield p, q, self.is_open_at(p)

    # --- the two functions -------------------------------------------------------------
    def working_time(self, a: int, b: int) -> int:
        if b < a:
            return -self.working_time(b, a)
        return sum(q - p for p, q, is_open in self.pieces(a, b) if is_open)

    def deadline(self, a: int, d: int) -> int:
        """The last t with working_time(a, t) <= d: walk the open pieces from `a`; when `d`
        is used up exactly at a piece's end, carry on to the start of the next open piece."""
        remaining = d
        lo, horizon = a, 8 * DAY_US
        while True:
            hi = lo + horizon
            for p, q, is_open in self.pieces(lo, hi):
                if not is_open:
                    continue
                if remaining < q - p:
                    return p + remaining
                remaining -= q - p
            lo, horizon = hi, horizon * 2

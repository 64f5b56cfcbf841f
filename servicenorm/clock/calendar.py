"""Working-time calendars (docs/clock.md): a zone, weekly opening hours, holidays and exceptions."""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from servicenorm.clock import kernel
from servicenorm.clock.holidays import holiday_set
from servicenorm.clock.instants import US_PER_S, from_us, to_us

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Intervals = tuple[tuple[int, int], ...]  # seconds from local midnight, [start, end)
Weekly = tuple[Intervals, ...]  # index 0 = Monday
I64 = npt.NDArray[np.int64]


def parse_clock(text: str, where: str) -> int:
    """`HH:MM` (00:00..24:00) as seconds from midnight."""
    try:
        h, m = text.split(":")
        secs = int(h) * 3600 + int(m) * 60
        ok = len(h) == 2 and len(m) == 2 and 0 <= int(m) < 60 and 0 <= secs <= 86_400
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"{where}: {text!r} is not a time of day HH:MM between 00:00 and 24:00")
    return secs


def parse_weekly(hours: dict[str, list[list[str]]], where: str = "hours") -> Weekly:
    unknown = set(hours) - set(WEEKDAYS)
    if unknown:
        raise ValueError(f"{where}: unknown weekday {sorted(unknown)[0]!r}; use mon..sun")
    days: list[Intervals] = []
    for name in WEEKDAYS:
        spans: list[tuple[int, int]] = []
        for pair in hours.get(name, []):
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise ValueError(f'{where}.{name}: each interval is a pair ["HH:MM", "HH:MM"]')
            s, e = (parse_clock(str(v), f"{where}.{name}") for v in pair)
            if s >= e:
                raise ValueError(
                    f"{where}.{name}: interval {pair[0]}-{pair[1]} ends before it starts"
                )
            spans.append((s, e))
        spans.sort()
        for (_, e1), (s2, _) in itertools.pairwise(spans):
            if s2 < e1:
                raise ValueError(f"{where}.{name}: intervals overlap")
        days.append(tuple(spans))
    return tuple(days)


def weekly_to_dict(weekly: Weekly) -> dict[str, list[list[str]]]:
    def hhmm(s: int) -> str:
        return f"{s // 3600:02d}:{s % 3600 // 60:02d}"

    return {WEEKDAYS[i]: [[hhmm(s), hhmm(e)] for s, e in iv] for i, iv in enumerate(weekly) if iv}


@dataclass(frozen=True)
class Calendar:
    """A working-time calendar. Immutable and hashable; its kernel is built lazily per span
    of years and reused by every computation on it."""

    zone_name: str
    weekly: Weekly
    holiday_sets: tuple[str, ...] = ()
    closed: frozenset[date] = frozenset()
    reopened: frozenset[date] = frozenset()
    name: str = ""
    # the spans built so far, most recently used last (at most kernel.MAX_SPANS)
    _cache: OrderedDict[tuple[int, int], kernel.Span] = field(
        default_factory=OrderedDict, compare=False, hash=False, repr=False
    )
    _lock: threading.Lock = field(
        default_factory=threading.Lock, compare=False, hash=False, repr=False
    )

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {self.zone_name!r}; use an IANA name such as Europe/Amsterdam"
            ) from None
        for s in self.holiday_sets:
            holiday_set(s)  # fails early on an unknown set
        if len(self.weekly) != 7:
            raise ValueError("weekly hours need seven days, Monday first")

    @classmethod
    def from_hours(
        cls,
        zone: str,
        hours: dict[str, list[list[str]]],
        holiday_sets: tuple[str, ...] = (),
        closed: frozenset[date] = frozenset(),
        reopened: frozenset[date] = frozenset(),
        name: str = "",
    ) -> Calendar:
        return cls(
            zone,
            parse_weekly(hours),
            tuple(holiday_sets),
            frozenset(closed),
            frozenset(reopened),
            name,
        )

    @classmethod
    def continuous(cls, zone: str = "UTC", name: str = "24/7") -> Calendar:
        """Plain elapsed time (docs/clock.md)."""
        return cls(zone, tuple(((0, 86_400),) for _ in range(7)), name=name)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.zone_name)

    def holidays(self, years: range) -> dict[date, str]:
        """The closed dates of these years with their names (holidays and extra closures)."""
        out: dict[date, str] = {}
        for s in self.holiday_sets:
            for d, n in holiday_set(s).dates(years).items():
                if d not in out:
                    out[d] = n
                elif n not in out[d].split("; "):
                    out[d] = f"{out[d]}; {n}"
        for d in self.closed:
            if d.year in years:
                out.setdefault(d, "closed")
        for d in self.reopened:
            out.pop(d, None)
        return out

    # --- the kernel ----------------------------------------------------------------------
    def span(self, lo_us: int, hi_us: int) -> kernel.Span:
        """A kernel span covering [lo_us, hi_us], in whole years.

        The last span used is widened to cover nearby years (a log of a few years shares one
        span); a far request gets a span of its own years, and only the few most recently
        used spans are kept, so no request can make a calendar hold tables for centuries.
        Years outside the supported range (kernel.FIRST_YEAR..LAST_YEAR) are refused."""
        found = self._covering(lo_us, hi_us)
        if found is not None:
            return found
        with self._lock:
            found = self._covering(lo_us, hi_us)
            if found is not None:
                return found
            y0 = from_us(lo_us, self.zone).year
            y1 = from_us(hi_us, self.zone).year
            kernel.check_years(y0, y1)
            if self._cache:
                last = next(reversed(self._cache.values()))
                u0, u1 = min(y0, last.first_year), max(y1, last.last_year)
                if u1 - u0 < kernel.WIDEN_YEARS:
                    y0, y1 = u0, u1
                    del self._cache[(last.first_year, last.last_year)]
            closed = frozenset(self.holidays(range(y0 - 1, y1 + 2)))
            built = kernel.build_span(self.zone, self.weekly, closed, y0, y1)
            if built.total == 0:
                raise ValueError(
                    f"calendar {self.name or self.zone_name} has no opening hours in {y0}-{y1}"
                )
            self._cache[(y0, y1)] = built
            while len(self._cache) > kernel.MAX_SPANS:
                self._cache.popitem(last=False)
            return built

    def _covering(self, lo_us: int, hi_us: int) -> kernel.Span | None:
        for key, sp in reversed(list(self._cache.items())):  # (a copy: others may add)
            if sp.covers(lo_us, hi_us):
                # least recently used first; (KeyError: dropped meanwhile, still valid here)
                with contextlib.suppress(KeyError):
                    self._cache.move_to_end(key)
                return sp
        return None

    # --- vectorised API over epoch microseconds ----------------------------------------
    def working_us(self, a: I64, b: I64) -> I64:
        """Working time in microseconds between each a[i] and b[i] (negative when b < a)."""
        a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
        if a.size == 0:
            return np.zeros(0, dtype=np.int64)
        sp = self.span(int(min(a.min(), b.min())), int(max(a.max(), b.max())))
        return sp.working(a, b)

    def deadline_us(self, a: I64, d_us: I64 | int) -> I64:
        """The last instant at which working time since a[i] is still <= d (docs/clock.md)."""
        a = np.asarray(a, dtype=np.int64)
        d = np.broadcast_to(np.asarray(d_us, dtype=np.int64), a.shape)
        if a.size == 0:
            return np.zeros(0, dtype=np.int64)
        if (d < 0).any():
            raise ValueError("a working-time allowance cannot be negative")
        lo, hi = int(a.min()), int(a.max())
        while True:
            sp = self.span(lo, hi)
            target = sp.cum(a)
            target += d
            if target.max() < sp.total:
                return sp.last_at_most(target)
            hi = max(hi, sp.hi + 366 * kernel.DAY)  # the deadline lies beyond: widen by a year

    def is_open_us(self, t: I64) -> npt.NDArray[np.bool_]:
        t = np.asarray(t, dtype=np.int64)
        if t.size == 0:
            return np.zeros(0, dtype=bool)
        return self.span(int(t.min()), int(t.max())).is_open(t)

    def next_open_us(self, t: I64) -> I64:
        t = np.asarray(t, dtype=np.int64)
        if t.size == 0:
            return np.zeros(0, dtype=np.int64)
        lo, hi = int(t.min()), int(t.max())
        while True:
            sp = self.span(lo, hi)
            if (t < sp.ends[-1]).all():
                return sp.next_open(t)
            hi = sp.hi + 366 * kernel.DAY

    # --- scalar API over aware datetimes -------------------------------------------------
    def working_time(self, a: datetime, b: datetime) -> timedelta:
        us = self.working_us(np.array([to_us(a)]), np.array([to_us(b)]))
        return timedelta(microseconds=int(us[0]))

    def deadline(self, a: datetime, allowance: timedelta) -> datetime:
        d = (allowance.days * 86_400 + allowance.seconds) * US_PER_S + allowance.microseconds
        return from_us(int(self.deadline_us(np.array([to_us(a)]), d)[0]), self.zone)

    def is_open(self, t: datetime) -> bool:
        return bool(self.is_open_us(np.array([to_us(t)]))[0])

    def next_open(self, t: datetime) -> datetime:
        return from_us(int(self.next_open_us(np.array([to_us(t)]))[0]), self.zone)

    def hour_table(self, lo_us: int, hi_us: int) -> dict[str, I64]:
        """The kernel's hour table covering [lo_us, hi_us], as integer columns for SQL engines.

        One row per UTC hour `h` (epoch hour number) with its start `h0` (epoch us), the
        cumulative working time at its start `cum`, and up to two open segments `[a1, b1)`,
        `[a2, b2)` in microseconds into the hour. Then, for an instant t in hour h:
        cum(t) = cum + clamp(t - h0, a1, b1) - a1 + clamp(t - h0, a2, b2) - a2, the same
        numbers as the numpy kernel, with integer joins and no time-zone functions.
        """
        sp = self.span(lo_us, hi_us)
        if sp.table is None:
            raise ValueError(
                f"calendar {self.name or self.zone_name} has more than two opening segments in "
                "some clock hour; SQL engines need at most two (use intervals of whole quarter hours)"
            )
        n = len(sp.table) - 1
        h0 = sp.lo + np.arange(n, dtype=np.int64) * kernel.HOUR
        return {
            "h": h0 // kernel.HOUR,
            "h0": h0,
            "cum": sp.table[:n, 0],
            "a1": sp.table[:n, 1],
            "b1": sp.table[:n, 2],
            "a2": sp.table[:n, 3],
            "b2": sp.table[:n, 4],
            "utc_offset": sp.offsets[:n],
        }

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "zone": self.zone_name,
            "hours": weekly_to_dict(self.weekly),
            "holiday_sets": list(self.holiday_sets),
            "closed": sorted(d.isoformat() for d in self.closed),
            "open": sorted(d.isoformat() for d in self.reopened),
        }

"""The vectorised working-time kernel.

A calendar becomes, for a span of whole years, the sorted list of its open intervals as
absolute instants (epoch microseconds, half-open `[start, end)`). Everything follows from the
cumulative working time `cum(t)`, a non-decreasing piecewise-linear function:

* `working_time(a, b) = cum(b) - cum(a)`;
* `deadline(a, d)` is the *last* `t` with `cum(t) <= cum(a) + d` (docs/clock.md): when `d` runs out
  exactly at a closing time that is the next opening, because `cum` is flat in between.

Two evaluations of `cum` exist, from the same intervals:

* exact search: `searchsorted` over interval starts (any calendar);
* the hour table: per UTC clock hour, the cumulative working time at its start plus at most
  two open segments inside it. A lookup is one integer division and one gather, which is what
  makes tens of millions of pairs per second possible, and it is the same table that SQL
  engines join on (see `hour_table`). Calendars with more than two segments in some hour
  (minute-scale intervals) use the exact search instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from servicenorm.clock.instants import END_INSTANT, FIRST_INSTANT, US_PER_S, from_us, to_us

I64 = npt.NDArray[np.int64]
HOUR = 3600 * US_PER_S
DAY = 86_400 * US_PER_S
_CHUNK = 1 << 14  # elements per step: the few scratch arrays of one step stay in L2 cache
_NO_NEXT = np.iinfo(np.int64).max

# Local years a span may cover: the supported instants (clock.instants) seen from any zone,
# plus a year after them for deadlines that run past the last supported instant.
FIRST_YEAR = FIRST_INSTANT.year - 1
LAST_YEAR = END_INSTANT.year + 1
MAX_SPANS = 4  # spans a calendar keeps (calendar.Calendar.span)
WIDEN_YEARS = 12  # a span grows to cover a request when the union stays this short


def check_years(first_year: int, last_year: int) -> None:
    if first_year < FIRST_YEAR or last_year > LAST_YEAR:
        raise ValueError(
            f"working time in {first_year}-{last_year} is outside the supported years "
            f"{FIRST_YEAR}-{LAST_YEAR}"
        )


def _offset_us(zone: ZoneInfo, u: int) -> int:
    off = from_us(u, zone).utcoffset()
    assert off is not None
    return (off.days * 86_400 + off.seconds) * US_PER_S


def first_instant_at_or_after(zone: ZoneInfo, wall: datetime) -> int:
    """The first instant whose wall-clock reading is >= `wall` (naive, in `zone`).

    An existing time maps to its first occurrence; a time inside a spring-forward gap maps
    to the transition, where the clock jumps over it (docs/clock.md).
    """
    u0 = to_us(wall.replace(tzinfo=zone, fold=0))
    if from_us(u0, zone).replace(tzinfo=None) == wall:
        return u0
    u1 = to_us(wall.replace(tzinfo=zone, fold=1))
    lo, hi = min(u0, u1), max(u0, u1)
    target = to_us(wall.replace(tzinfo=ZoneInfo("UTC")))  # the wall reading as a number
    while lo < hi:  # smallest u with u + offset(u) >= wall
        mid = (lo + hi) // 2
        if mid + _offset_us(zone, mid) >= target:
            hi = mid
        else:
            lo = mid + 1
    return lo


def local_midnight(zone: ZoneInfo, day: date) -> int:
    """The instant a local date begins (its first instant, even when midnight is skipped)."""
    return first_instant_at_or_after(zone, datetime(day.year, day.month, day.day))  # noqa: DTZ001 (a wall-clock reading)


def _transition(zone: ZoneInfo, lo: int, hi: int, before: int) -> int:
    """First instant in (lo, hi] whose offset differs from `before`."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset_us(zone, mid) == before:
            lo = mid
        else:
            hi = mid
    return hi


@dataclass(frozen=True)
class ZoneDays:
    """Per local date of a zone: where the day starts and its UTC offsets. Computed once per
    zone and span (the only per-day Python loop) and shared by every calendar in that zone."""

    first: date
    midnight: I64  # local date as days since 1970-01-01, times DAY: the wall-clock origin
    t0: I64  # first instant of the day (its wall reading >= 00:00)
    t1: I64  # first instant of the next day
    off0: I64  # UTC offset at t0
    off1: I64  # UTC offset just before t1
    tr: I64  # the DST transition inside the day (t1 when none)
    weekday: npt.NDArray[np.int8]


@lru_cache(maxsize=64)
def zone_days(zone: ZoneInfo, first: date, last: date) -> ZoneDays:
    n = (last - first).days + 1
    starts = [
        first_instant_at_or_after(zone, datetime(d.year, d.month, d.day))  # noqa: DTZ001 (wall clock)
        for d in (first + timedelta(days=i) for i in range(n + 1))
    ]
    t = np.array(starts, dtype=np.int64)
    off0 = np.array([_offset_us(zone, int(u)) for u in t[:-1]], dtype=np.int64)
    off1 = np.array([_offset_us(zone, int(u) - 1) for u in t[1:]], dtype=np.int64)
    tr = t[1:].copy()
    for i in np.flatnonzero(off0 != off1):  # a DST change inside this local day
        tr[i] = _transition(zone, int(t[i]), int(t[i + 1]) - 1, int(off0[i]))
    origin = (first - date(1970, 1, 1)).days
    days = np.arange(origin, origin + n, dtype=np.int64)
    return ZoneDays(
        first, days * DAY, t[:-1], t[1:], off0, off1, tr, ((days + 3) % 7).astype(np.int8)
    )  # 1970-01-01 was a Thursday


def open_intervals(
    zone: ZoneInfo,
    weekly: tuple[tuple[tuple[int, int], ...], ...],
    closed: frozenset[date],
    first: date,
    last: date,
) -> tuple[I64, I64]:
    """Open intervals for local dates first..last: an instant is open when its wall-clock
    reading on that date lies in one of the weekday's `[start, end)` (seconds from midnight).

    On a day with a DST change the two offsets each hold on their side of the transition,
    so a skipped wall time does not exist and a repeated one counts twice (docs/clock.md).
    """
    zd = zone_days(zone, first, last)
    shut = np.zeros(len(zd.t0), dtype=bool)
    for d in closed:
        i = (d - first).days
        if 0 <= i < len(shut):
            shut[i] = True
    los, his = [], []
    for wd, hours in enumerate(weekly):
        days = np.flatnonzero((zd.weekday == wd) & ~shut)
        if not hours or not len(days):
            continue
        mid, t0, t1, tr = zd.midnight[days], zd.t0[days], zd.t1[days], zd.tr[days]
        for s, e in hours:
            for u0, u1, off in ((t0, tr, zd.off0[days]), (tr, t1, zd.off1[days])):
                lo = np.maximum(u0, mid + s * US_PER_S - off)
                hi = np.minimum(u1, mid + e * US_PER_S - off)
                keep = lo < hi
                los.append(lo[keep])
                his.append(hi[keep])
    if not los:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    lo, hi = np.concatenate(los), np.concatenate(his)
    order = np.argsort(lo, kind="stable")
    lo, hi = lo[order], hi[order]
    # Merge touching or overlapping pieces (24:00 then 00:00; the two sides of a DST change).
    reach = np.maximum.accumulate(hi)
    new = np.ones(len(lo), dtype=bool)
    new[1:] = lo[1:] > reach[:-1]
    idx = np.flatnonzero(new)
    return lo[idx], np.maximum.reduceat(hi, idx)


@dataclass(frozen=True)
class _HourColumns:
    """The hour table rearranged for the lookup, one contiguous column per quantity, bounds
    as absolute instants so no offset into the hour has to be computed:
    cum(t) = base[k] + clip(t, a1[k], b1[k]) [+ clip(t, a2[k], b2[k])], k = (t - lo) // HOUR.
    """

    base: I64  # cum at the hour start minus a1 (and minus a2)
    a1: I64
    b1: I64
    a2: I64 | None  # None: no hour has a second open segment (the usual case)
    b2: I64 | None


@dataclass(frozen=True)
class _Inverse:
    """cum inverted by working hour, for deadlines without a search: the interval holding
    working time `w` is first[w // HOUR] plus at most `steps` moves to the next interval."""

    first: I64  # per working hour q: the last interval with cum_starts <= q * HOUR
    steps: int  # most interval starts strictly inside one working hour
    next_cum: I64  # cum_starts[j + 1]; int64 max after the last interval
    shift: I64  # starts - cum_starts: the instant of working time w in interval j is shift[j] + w


@dataclass(frozen=True)
class Span:
    """The kernel of one calendar over whole years [first_year, last_year] in its zone."""

    first_year: int
    last_year: int
    lo: int  # epoch us, start of the first hour bucket
    hi: int  # epoch us, end of the last hour bucket
    starts: I64
    ends: I64
    cum_starts: I64  # working time before each interval, from `lo`
    table: I64 | None  # (hours+1, 5): cum at hour start, a1, b1, a2, b2; None: too fine-grained
    offsets: I64  # the zone's UTC offset at each hour's start (for local dates in SQL)
    cols: _HourColumns | None = None  # `table` arranged for the numpy lookup
    inverse: _Inverse | None = None

    @property
    def total(self) -> int:
        return (
            int(self.cum_starts[-1] + (self.ends[-1] - self.starts[-1])) if len(self.starts) else 0
        )

    def covers(self, lo: int, hi: int) -> bool:
        return self.lo <= lo and hi < self.hi

    # --- cumulative working time -------------------------------------------------------
    def cum(self, t: I64) -> I64:
        if self.cols is None:
            return self._cum_exact(t)
        t = np.ascontiguousarray(t, dtype=np.int64)
        out = np.empty_like(t)
        flat, res = t.reshape(-1), out.reshape(-1)
        k, x, y = (np.empty(min(len(flat), _CHUNK), np.int64) for _ in range(3))
        for i in range(0, len(flat), _CHUNK):
            m = min(_CHUNK, len(flat) - i)
            self._cum_into(flat[i : i + m], res[i : i + m], k[:m], x[:m], y[:m])
        return out

    def working(self, a: I64, b: I64) -> I64:
        """cum(b) - cum(a), one chunk at a time (no full-length temporaries)."""
        if self.cols is None:
            return self._cum_exact(b) - self._cum_exact(a)
        a, b = np.broadcast_arrays(np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64))
        fa, fb = np.ascontiguousarray(a).reshape(-1), np.ascontiguousarray(b).reshape(-1)
        out = np.empty(fa.shape, dtype=np.int64)
        n = min(len(fa), _CHUNK)
        k, x, y, z = (np.empty(n, np.int64) for _ in range(4))
        for i in range(0, len(fa), _CHUNK):
            m = min(_CHUNK, len(fa) - i)
            res = out[i : i + m]
            self._cum_into(fb[i : i + m], res, k[:m], x[:m], y[:m])
            self._cum_into(fa[i : i + m], z[:m], k[:m], x[:m], y[:m])
            np.subtract(res, z[:m], out=res)
        return out.reshape(a.shape)

    def _cum_into(self, t: I64, out: I64, k: I64, x: I64, y: I64) -> None:
        """The hour-table lookup for one chunk into `out`, with scratch `k`, `x`, `y` (`y`
        only for second segments). `take(mode="clip")` avoids numpy's bounds-checked copy:
        the span covers every t, so no index is ever out of range."""
        c = self.cols
        assert c is not None
        np.subtract(t, self.lo, out=k)
        np.floor_divide(k, HOUR, out=k)
        np.take(c.a1, k, out=x, mode="clip")
        np.maximum(t, x, out=x)
        np.take(c.b1, k, out=out, mode="clip")
        np.minimum(x, out, out=x)
        if c.a2 is not None and c.b2 is not None:
            np.take(c.a2, k, out=y, mode="clip")
            np.maximum(t, y, out=y)
            np.take(c.b2, k, out=out, mode="clip")
            np.minimum(y, out, out=y)
            np.add(x, y, out=x)
        np.take(c.base, k, out=out, mode="clip")
        np.add(out, x, out=out)

    def _cum_exact(self, t: I64) -> I64:
        if not len(self.starts):  # a calendar without opening hours: no working time at all
            return np.zeros_like(t)
        i = np.searchsorted(self.starts, t, side="right") - 1
        j = np.maximum(i, 0)
        inside = np.clip(t - self.starts[j], 0, self.ends[j] - self.starts[j])
        return np.where(i < 0, 0, self.cum_starts[j] + inside)

    def _cum_table(self, t: I64) -> I64:
        """The hour-table path on its own (tests compare it with `_cum_exact`)."""
        t = np.ascontiguousarray(t, dtype=np.int64)
        out = np.empty_like(t)
        self._cum_into(t, out, np.empty_like(t), np.empty_like(t), np.empty_like(t))
        return out

    # --- deadlines and openness ---------------------------------------------------------
    def last_at_most(self, target: I64) -> I64:
        """The last instant t with cum(t) <= target (0 <= target < total)."""
        inv = self.inverse
        if inv is None:
            return self._last_exact(target)
        target = np.ascontiguousarray(target, dtype=np.int64)
        out = np.empty_like(target)
        flat, res = target.reshape(-1), out.reshape(-1)
        n = min(len(flat), _CHUNK)
        j, x = np.empty(n, np.int64), np.empty(n, np.int64)
        for i in range(0, len(flat), _CHUNK):
            m = min(_CHUNK, len(flat) - i)
            w, jj, xx = flat[i : i + m], j[:m], x[:m]
            np.floor_divide(w, HOUR, out=jj)
            np.take(inv.first, jj, out=jj, mode="clip")
            for _ in range(inv.steps):  # move on while the next interval starts at or before w
                np.take(inv.next_cum, jj, out=xx, mode="clip")
                np.add(jj, np.less_equal(xx, w), out=jj, casting="unsafe")
            np.take(inv.shift, jj, out=xx, mode="clip")
            np.add(xx, w, out=res[i : i + m])
        return out

    def _last_exact(self, target: I64) -> I64:
        j = np.searchsorted(self.cum_starts, target, side="right") - 1
        return self.starts[j] + (target - self.cum_starts[j])

    def is_open(self, t: I64) -> npt.NDArray[np.bool_]:
        i = np.searchsorted(self.starts, t, side="right") - 1
        return (i >= 0) & (t < self.ends[np.maximum(i, 0)])

    def next_open(self, t: I64) -> I64:
        """t itself when open, else the next opening (must exist within the span)."""
        i = np.searchsorted(self.starts, t, side="right") - 1
        is_open = (i >= 0) & (t < self.ends[np.maximum(i, 0)])
        return np.where(is_open, t, self.starts[np.minimum(i + 1, len(self.starts) - 1)])


def build_span(
    zone: ZoneInfo,
    weekly: tuple[tuple[tuple[int, int], ...], ...],
    closed: frozenset[date],
    first_year: int,
    last_year: int,
) -> Span:
    check_years(first_year, last_year)
    first, last = date(first_year, 1, 1), date(last_year, 12, 31)
    lo = first_instant_at_or_after(zone, datetime(first_year, 1, 1)) // HOUR * HOUR  # noqa: DTZ001
    hi = -(-first_instant_at_or_after(zone, datetime(last_year + 1, 1, 1)) // HOUR) * HOUR  # noqa: DTZ001
    # One day of margin each side, clipped to the span, so intervals crossing midnight count.
    starts, ends = open_intervals(
        zone, weekly, closed, first - timedelta(days=1), last + timedelta(days=1)
    )
    keep = (ends > lo) & (starts < hi)
    starts, ends = np.maximum(starts[keep], lo), np.minimum(ends[keep], hi)
    lengths = ends - starts
    cum_starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    n_hours = (hi - lo) // HOUR
    hour_starts = lo + np.arange(n_hours + 1, dtype=np.int64) * HOUR
    offsets = _hourly_offsets(zone, lo, n_hours)
    partial = Span(first_year, last_year, lo, hi, starts, ends, cum_starts, None, offsets)
    table = _hour_table(partial, hour_starts)
    return Span(
        first_year,
        last_year,
        lo,
        hi,
        starts,
        ends,
        cum_starts,
        table,
        offsets,
        None if table is None else _hour_columns(table, hour_starts),
        _inverse(partial) if len(starts) else None,
    )


def _hour_columns(table: I64, hour_starts: I64) -> _HourColumns:
    a1, b1 = hour_starts + table[:, 1], hour_starts + table[:, 2]
    if (table[:, 3] == HOUR).all():
        return _HourColumns(table[:, 0] - a1, a1, b1, None, None)
    a2, b2 = hour_starts + table[:, 3], hour_starts + table[:, 4]
    return _HourColumns(table[:, 0] - a1 - a2, a1, b1, a2, b2)


def _inverse(span: Span) -> _Inverse:
    cs = span.cum_starts
    marks = np.arange((span.total - 1) // HOUR + 2, dtype=np.int64) * HOUR
    at_mark = np.searchsorted(cs, marks, side="right") - 1
    first = at_mark[:-1]
    before_next = np.searchsorted(cs, marks[1:] - 1, side="right") - 1
    steps = int((before_next - first).max()) if len(first) else 0
    next_cum = np.append(cs[1:], _NO_NEXT).astype(np.int64)
    return _Inverse(first.astype(np.int64), steps, next_cum, span.starts - cs)


@lru_cache(maxsize=64)
def _hourly_offsets(zone: ZoneInfo, lo: int, n_hours: int) -> I64:
    """UTC offset at each hour start, computed per day and fixed up around transitions
    (cached: every calendar of a zone over the same span shares it)."""
    hour_starts = lo + np.arange(n_hours, dtype=np.int64) * HOUR
    daily = hour_starts[::24]
    off = np.repeat(np.array([_offset_us(zone, int(u)) for u in daily], dtype=np.int64), 24)[
        : len(hour_starts)
    ]
    changed = np.flatnonzero(np.diff(off[::24]) != 0) if len(daily) > 1 else np.array([], int)
    for d in changed:  # a transition within the day after `d`: recompute those 48 hours
        for k in range(int(d) * 24, min(int(d) * 24 + 48, len(hour_starts))):
            off[k] = _offset_us(zone, int(hour_starts[k]))
    return off


def _hour_table(span: Span, hour_starts: I64) -> I64 | None:
    n_hours = len(hour_starts) - 1
    table = np.zeros((n_hours + 1, 5), dtype=np.int64)
    table[:, 0] = span._cum_exact(hour_starts)
    table[:, 3] = HOUR
    table[:, 4] = HOUR
    if not len(span.starts):
        return table
    kb = (span.starts - span.lo) // HOUR
    ke = (span.ends - 1 - span.lo) // HOUR
    pieces = ke - kb + 1
    owner = np.repeat(np.arange(len(kb)), pieces)
    bucket = np.repeat(kb, pieces) + (
        np.arange(pieces.sum()) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    )
    bstart = span.lo + bucket * HOUR
    seg_lo = np.maximum(span.starts[owner], bstart) - bstart
    seg_hi = np.minimum(span.ends[owner], bstart + HOUR) - bstart
    _uniq, first_idx, counts = np.unique(bucket, return_index=True, return_counts=True)
    if counts.max() > 2:
        return None
    slot = np.arange(len(bucket)) - np.repeat(first_idx, counts)
    one, two = slot == 0, slot == 1
    table[bucket[one], 1], table[bucket[one], 2] = seg_lo[one], seg_hi[one]
    table[bucket[two], 3], table[bucket[two], 4] = seg_lo[two], seg_hi[two]
    return table

"""The kernel's spans of years: widening on demand, deadlines beyond the built span, the hour
table that SQL engines join on, and long vectors (many chunks)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import numpy as np
import pytest

from servicenorm.clock import Calendar, from_us, to_us
from servicenorm.clock.kernel import HOUR

from .calendars import PROPERTY_CALENDARS, WORKDAYS, ams, named
from .reference import RefCalendar

H = timedelta(hours=1)


def fresh_bol() -> Calendar:
    """A bol-shaped calendar of its own, so its span cache starts empty."""
    return Calendar.from_hours(
        "Europe/Amsterdam",
        {d: [["09:00", "17:00"]] for d in WORKDAYS},
        holiday_sets=("NL-Atw", "BE-legal"),
    )


def test_span_widens_across_years_and_keeps_results() -> None:
    cal = fresh_bol()
    a, b = ams(2026, 3, 2, 9, 0), ams(2026, 3, 9, 9, 0)
    before = cal.working_time(a, b)
    first = cal.span(to_us(a), to_us(b))
    assert (first.first_year, first.last_year) == (2026, 2026)  # the years in use, no more
    far = ams(2031, 3, 3, 9, 0)  # a Monday in an ordinary week
    assert cal.working_time(far, far + timedelta(days=7)) == 40 * H
    widened = cal.span(to_us(a), to_us(far))
    assert widened.first_year <= 2026 and widened.last_year >= 2031
    assert cal.working_time(a, b) == before == 40 * H
    # across many years at once: the same as summing year by year
    y = [ams(year, 1, 1, 0, 0) for year in range(2024, 2033)]
    total = cal.working_time(y[0], y[-1])
    assert total == sum((cal.working_time(p, q) for p, q in pairwise(y)), timedelta())
    assert fresh_bol().working_time(y[0], y[-1]) == total


def test_span_widens_backwards() -> None:
    cal = fresh_bol()
    cal.working_time(ams(2026, 3, 2, 9, 0), ams(2026, 3, 3, 9, 0))
    old = ams(2019, 3, 4, 9, 0)  # a Monday
    assert cal.deadline(old, 8 * H) == ams(2019, 3, 5, 9, 0)
    assert cal.span(to_us(old), to_us(old)).first_year <= 2019


def test_deadline_beyond_the_built_span() -> None:
    cal = fresh_bol()
    start = ams(2026, 6, 1, 9, 0)
    cal.working_time(start, start)  # builds 2026 only
    allowance = 5000 * H  # about two and a half years of working days
    due = cal.deadline(start, allowance)
    assert due.year == 2028
    assert cal.span(to_us(start), to_us(due)).last_year >= 2028
    assert cal.working_time(start, due) == allowance
    assert cal.working_time(start, due + timedelta(microseconds=1)) == allowance + timedelta(
        microseconds=1
    )
    assert fresh_bol().deadline(start, allowance) == due
    assert to_us(due) == RefCalendar.of(cal).deadline(to_us(start), 5000 * HOUR)


def test_vector_deadlines_beyond_the_span_mixed_with_near_ones() -> None:
    cal = fresh_bol()
    a = np.array([to_us(ams(2026, 6, 1, 9, 0))] * 3, dtype=np.int64)
    d = np.array([0, 8 * HOUR, 6000 * HOUR], dtype=np.int64)
    got = cal.deadline_us(a, d)
    np.testing.assert_array_equal(cal.working_us(a, got), d)
    assert from_us(int(got[1]), cal.zone) == ams(2026, 6, 2, 9, 0)


@pytest.mark.parametrize("name", [n for n in PROPERTY_CALENDARS if n != "fine-grained"])
def test_hour_table_rows_are_consistent(name: str) -> None:
    """Row k: cumulative working time at the start of UTC hour k, then up to two open
    segments [a, b) inside the hour (offsets in microseconds). What SQL engines join on."""
    sp = named(name).span(
        to_us(datetime(2026, 1, 1, tzinfo=UTC)), to_us(datetime(2026, 12, 1, tzinfo=UTC))
    )
    t = sp.table
    assert t is not None
    assert t.shape == ((sp.hi - sp.lo) // HOUR + 1, 5)
    inside = (t[:, 2] - t[:, 1]) + (t[:, 4] - t[:, 3])
    np.testing.assert_array_equal(np.diff(t[:, 0]), inside[:-1])
    assert (
        (t[:, 1] >= 0)
        & (t[:, 1] <= t[:, 2])
        & (t[:, 2] <= t[:, 3])
        & (t[:, 3] <= t[:, 4])
        & (t[:, 4] <= HOUR)
    ).all()
    hours = sp.lo + np.arange(len(sp.offsets), dtype=np.int64) * HOUR
    zone = named(name).zone
    sample = np.linspace(0, len(hours) - 1, 500).astype(int)
    for k in sample:
        off = from_us(int(hours[k]), zone).utcoffset()
        assert off is not None
        assert sp.offsets[k] == off // timedelta(microseconds=1)


def test_hour_offsets_around_every_transition() -> None:
    for name in ("bol-NL", "new-york", "lord-howe"):
        cal = named(name)
        sp = cal.span(
            to_us(datetime(2026, 1, 1, tzinfo=UTC)), to_us(datetime(2026, 12, 1, tzinfo=UTC))
        )
        change = np.flatnonzero(np.diff(sp.offsets)) + 1
        assert len(change) >= 2 * (sp.last_year - sp.first_year + 1) - 1
        for k in change:
            for j in (k - 1, k):
                off = from_us(int(sp.lo + j * HOUR), cal.zone).utcoffset()
                assert off is not None and sp.offsets[j] == off // timedelta(microseconds=1)


@pytest.mark.parametrize("name", [n for n in PROPERTY_CALENDARS if n != "fine-grained"])
def test_hour_table_columns_reproduce_the_kernel_as_sql_would(name: str) -> None:
    """Calendar.hour_table is what SQL engines join on: for t in hour h,
    cum(t) = cum + clamp(t - h0, a1, b1) - a1 + clamp(t - h0, a2, b2) - a2."""
    cal = named(name)
    lo, hi = to_us(datetime(2025, 12, 1, tzinfo=UTC)), to_us(datetime(2027, 2, 1, tzinfo=UTC))
    cols = cal.hour_table(lo, hi)
    sp = cal.span(lo, hi)
    rng = np.random.default_rng(5)
    t = np.concatenate([rng.integers(lo, hi, 20_000), sp.starts[10:2000], sp.ends[10:2000] - 1])
    k = np.searchsorted(cols["h0"], t, side="right") - 1
    x = t - cols["h0"][k]
    a1, b1, a2, b2 = (cols[c][k] for c in ("a1", "b1", "a2", "b2"))
    sql = cols["cum"][k] + np.clip(x, a1, b1) - a1 + np.clip(x, a2, b2) - a2
    np.testing.assert_array_equal(sql, sp._cum_exact(t))
    np.testing.assert_array_equal(sql, sp.cum(t))


def test_second_segments_in_an_hour_are_used() -> None:
    sp = named("coffee-breaks").span(
        to_us(datetime(2026, 1, 1, tzinfo=UTC)), to_us(datetime(2026, 2, 1, tzinfo=UTC))
    )
    assert sp.table is not None and (sp.table[:, 3] < HOUR).any()


def test_fine_grained_calendar_uses_the_exact_search() -> None:
    sp = named("fine-grained").span(
        to_us(datetime(2026, 1, 1, tzinfo=UTC)), to_us(datetime(2026, 2, 1, tzinfo=UTC))
    )
    assert sp.table is None


@pytest.mark.parametrize(
    "name", ["bol-NL", "split-hours", "lord-howe", "coffee-breaks", "fine-grained"]
)
def test_long_vectors_over_many_chunks(name: str) -> None:
    cal = named(name)
    rng = np.random.default_rng(11)
    n = 300_007
    lo, hi = to_us(datetime(2024, 1, 1, tzinfo=UTC)), to_us(datetime(2028, 1, 1, tzinfo=UTC))
    a = rng.integers(lo, hi, n)
    b = a + rng.integers(0, 30 * 86_400 * 10**6, n)
    d = rng.integers(0, 50 * HOUR, n)
    wt = cal.working_us(a, b)
    due = cal.deadline_us(a, d)
    sp = cal.span(int(a.min()), int(max(b.max(), due.max())))
    np.testing.assert_array_equal(wt, sp._cum_exact(b) - sp._cum_exact(a))
    np.testing.assert_array_equal(cal.working_us(a, due), d)
    np.testing.assert_array_equal(cal.working_us(a, due + 1), d + 1)
    ref = RefCalendar.of(cal)
    for i in rng.choice(n, 40, replace=False):
        assert wt[i] == ref.working_time(int(a[i]), int(b[i]))
        assert due[i] == ref.deadline(int(a[i]), int(d[i]))

"""Property tests: the vectorised kernel against the day-by-day reference (tests/clock/
reference.py) and against the laws docs/clock.md states, on calendars of several shapes and
zones."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicenorm.clock import Calendar, from_us, to_us

from .calendars import PROPERTY_CALENDARS, named
from .reference import DAY_US, RefCalendar
from .strategies import HI_US, LO_US, allowances, instants, near

PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
TABLE_CALENDARS = tuple(n for n in PROPERTY_CALENDARS if n != "fine-grained")


@cache
def ref(name: str) -> RefCalendar:
    return RefCalendar.of(named(name))


def td_us(d: timedelta) -> int:
    return (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds


def wt(cal: Calendar, a: int, b: int) -> int:
    return int(cal.working_us(np.array([a]), np.array([b]))[0])


def dl(cal: Calendar, a: int, d: int) -> int:
    return int(cal.deadline_us(np.array([a]), d)[0])


@pytest.mark.parametrize("name", PROPERTY_CALENDARS)
@PROPERTY
@given(data=st.data())
def test_working_time_equals_the_reference(name: str, data: st.DataObject) -> None:
    cal = named(name)
    a, b = data.draw(near(cal), label="a, b")
    assert wt(cal, a, b) == ref(name).working_time(a, b)


@pytest.mark.parametrize("name", PROPERTY_CALENDARS)
@PROPERTY
@given(data=st.data())
def test_deadline_is_the_last_instant_within_the_allowance(name: str, data: st.DataObject) -> None:
    cal = named(name)
    a = data.draw(instants(cal), label="a")
    d = data.draw(allowances, label="d")
    t = dl(cal, a, d)
    assert t == ref(name).deadline(a, d)
    assert t >= a
    assert wt(cal, a, t) == d  # docs/clock.md: working_time(a, deadline(a, d)) == d
    # The deadline is always an open instant (a closing that uses up d moves on to the next
    # opening), so working time grows from it at once: one microsecond later is late.
    assert wt(cal, a, t + 1) == d + 1
    assert bool(cal.is_open_us(np.array([t]))[0])


@pytest.mark.parametrize("name", PROPERTY_CALENDARS)
@PROPERTY
@given(data=st.data())
def test_on_time_exactly_until_the_deadline(name: str, data: st.DataObject) -> None:
    """working_time(a, t) <= d  <=>  t <= deadline(a, d), for any reply time t >= a."""
    cal = named(name)
    a = data.draw(instants(cal), label="a")
    d = data.draw(allowances, label="d")
    t_dl = dl(cal, a, d)
    shift = data.draw(
        st.one_of(st.integers(-3, 3), st.integers(-4 * DAY_US, 4 * DAY_US)), label="shift"
    )
    t = max(a, t_dl + shift)
    assert (wt(cal, a, t) <= d) == (t <= t_dl)


@pytest.mark.parametrize("name", PROPERTY_CALENDARS)
@PROPERTY
@given(data=st.data())
def test_additivity(name: str, data: st.DataObject) -> None:
    cal = named(name)
    a, b, c = (data.draw(st.one_of(instants(cal), st.integers(LO_US, HI_US))) for _ in range(3))
    assert wt(cal, a, b) + wt(cal, b, c) == wt(cal, a, c)
    assert wt(cal, a, b) == -wt(cal, b, a)


@pytest.mark.parametrize("name", PROPERTY_CALENDARS)
@PROPERTY
@given(data=st.data())
def test_monotonicity(name: str, data: st.DataObject) -> None:
    cal = named(name)
    a, b, c = sorted(data.draw(instants(cal)) for _ in range(3))
    assert 0 <= wt(cal, a, b) <= wt(cal, a, c)
    assert wt(cal, b, c) <= wt(cal, a, c)
    d1, d2 = sorted(data.draw(allowances) for _ in range(2))
    assert dl(cal, a, d1) <= dl(cal, a, d2)
    assert dl(cal, a, d1) <= dl(cal, b, d1)


@pytest.mark.parametrize("name", PROPERTY_CALENDARS)
@PROPERTY
@given(data=st.data())
def test_vector_equals_scalar(name: str, data: st.DataObject) -> None:
    cal = named(name)
    pairs = data.draw(st.lists(near(cal), min_size=1, max_size=8), label="pairs")
    ds = data.draw(st.lists(allowances, min_size=len(pairs), max_size=len(pairs)), label="d")
    a = np.array([p[0] for p in pairs], dtype=np.int64)
    b = np.array([p[1] for p in pairs], dtype=np.int64)
    got_wt = cal.working_us(a, b)
    got_dl = cal.deadline_us(a, np.array(ds, dtype=np.int64))
    for i, (x, y) in enumerate(pairs):
        assert got_wt[i] == td_us(cal.working_time(from_us(x), from_us(y)))
        assert got_dl[i] == to_us(cal.deadline(from_us(x), timedelta(microseconds=ds[i])))


@pytest.mark.parametrize("name", TABLE_CALENDARS)
@PROPERTY
@given(data=st.data())
def test_hour_table_equals_exact_search(name: str, data: st.DataObject) -> None:
    cal = named(name)
    t = np.array(data.draw(st.lists(instants(cal), min_size=1, max_size=50)), dtype=np.int64)
    sp = cal.span(int(t.min()), int(t.max()))
    assert sp.table is not None
    np.testing.assert_array_equal(sp._cum_table(t), sp._cum_exact(t))


@pytest.mark.parametrize("name", PROPERTY_CALENDARS)
@PROPERTY
@given(data=st.data())
def test_is_open_and_next_open_agree_with_the_reference(name: str, data: st.DataObject) -> None:
    cal = named(name)
    t = data.draw(instants(cal), label="t")
    r = ref(name)
    assert bool(cal.is_open_us(np.array([t]))[0]) == r.is_open_at(t)
    nxt = int(cal.next_open_us(np.array([t]))[0])
    assert r.is_open_at(nxt)
    assert nxt == t or (nxt > t and r.working_time(t, nxt) == 0)


@pytest.mark.parametrize("name", PROPERTY_CALENDARS)
@PROPERTY
@given(data=st.data())
def test_deadline_index_equals_exact_search(name: str, data: st.DataObject) -> None:
    """The per-working-hour inverse index gives the same instant as `searchsorted` over the
    cumulative interval starts, including targets exactly at an interval's start."""
    cal = named(name)
    sp = cal.span(LO_US, HI_US)
    exact_starts = data.draw(st.lists(st.sampled_from(sp.cum_starts.tolist()), max_size=10))
    anywhere = data.draw(st.lists(st.integers(0, sp.total - 1), min_size=1, max_size=40))
    w = np.array(
        [max(0, v + j) for v in exact_starts for j in (-1, 0, 1)] + anywhere, dtype=np.int64
    )
    np.testing.assert_array_equal(sp.last_at_most(w), sp._last_exact(w))

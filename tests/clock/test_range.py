"""The clock's supported range (issue 11): instants outside 1970..2100 are refused at once,
and no request makes a calendar hold working-time tables for centuries."""

from __future__ import annotations

import time
import tracemalloc
from datetime import UTC, datetime, timedelta

import pytest

from servicenorm.clock import Calendar, parse_instant, to_us
from servicenorm.clock.instants import InstantRangeError, check_range
from servicenorm.clock.kernel import MAX_SPANS, build_span

from .calendars import WORKDAYS


def fresh() -> Calendar:
    return Calendar.from_hours(
        "Europe/Amsterdam",
        {d: [["09:00", "17:00"]] for d in WORKDAYS},
        holiday_sets=("NL-Atw",),
    )


@pytest.mark.parametrize(
    "text", ["3000-06-01T10:00:00Z", "0001-01-02T00:00:00Z", "1969-12-31T23:59:59+00:00"]
)
def test_parse_instant_refuses_instants_outside_the_range(text: str) -> None:
    with pytest.raises(InstantRangeError, match="outside the supported range"):
        parse_instant(text, "--at")


def test_the_range_is_half_open_at_2101() -> None:
    assert check_range(datetime(2100, 12, 31, 23, 59, 59, tzinfo=UTC))
    assert check_range(datetime(1970, 1, 1, tzinfo=UTC))
    with pytest.raises(InstantRangeError):
        check_range(datetime(2101, 1, 1, tzinfo=UTC))


def test_a_far_instant_is_refused_fast_and_leaves_nothing_behind() -> None:
    cal = fresh()
    cal.deadline(datetime(2026, 3, 2, 10, tzinfo=UTC), timedelta(hours=8))
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="outside the supported"):
        cal.deadline(datetime(3000, 6, 1, 10, tzinfo=UTC), timedelta(hours=8))
    with pytest.raises(ValueError, match="outside the supported"):
        build_span(cal.zone, cal.weekly, frozenset(), 2026, 3000)
    assert time.perf_counter() - t0 < 0.1
    assert [(sp.first_year, sp.last_year) for sp in cal._cache.values()] == [(2026, 2026)]


def test_deadlines_at_the_end_of_the_range_still_work() -> None:
    cal = fresh()
    last = datetime(2100, 12, 31, 16, tzinfo=UTC)
    assert cal.deadline(last, timedelta(hours=8)) > last


def test_far_requests_get_spans_of_their_own_and_only_a_few_are_kept() -> None:
    cal = fresh()
    cal.working_time(datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC))
    tracemalloc.start()
    for year in (1975, 1995, 2015, 2035, 2055, 2075, 2095):
        t = datetime(year, 6, 2, 10, tzinfo=UTC)
        cal.working_time(t, t + timedelta(days=7))
        sp = cal.span(to_us(t), to_us(t))
        assert sp.last_year - sp.first_year < 12  # not widened to cover 2026 .. `year`
    held, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(cal._cache) <= MAX_SPANS
    assert held < 64 * 1024 * 1024

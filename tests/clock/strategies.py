"""Hypothesis strategies for instants and allowances that hit the places where clocks break:
opening and closing times (and one microsecond or second either side), midnight, DST days,
holidays and year ends, as well as plain random instants over 2024-2027."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from servicenorm.clock import Calendar

from .reference import DAY_US, HOUR_US, US, micros

FIRST_DAY, LAST_DAY = date(2024, 1, 1), date(2027, 12, 31)
LO_US = micros(datetime.combine(FIRST_DAY, time(), tzinfo=ZoneInfo("UTC")))
HI_US = micros(datetime.combine(LAST_DAY, time(23, 59), tzinfo=ZoneInfo("UTC")))

SPECIAL_DAYS = sorted(
    {
        # Europe (last Sunday of March / October)
        date(2024, 3, 31),
        date(2024, 10, 27),
        date(2025, 3, 30),
        date(2025, 10, 26),
        date(2026, 3, 29),
        date(2026, 10, 25),
        date(2027, 3, 28),
        date(2027, 10, 31),
        # United States (second Sunday of March, first of November)
        date(2024, 3, 10),
        date(2024, 11, 3),
        date(2025, 3, 9),
        date(2025, 11, 2),
        date(2026, 3, 8),
        date(2026, 11, 1),
        date(2027, 3, 14),
        date(2027, 11, 7),
        # Lord Howe (first Sunday of April / October, 30 minutes)
        date(2024, 4, 7),
        date(2024, 10, 6),
        date(2025, 4, 6),
        date(2025, 10, 5),
        date(2026, 4, 5),
        date(2026, 10, 4),
        date(2027, 4, 4),
        date(2027, 10, 3),
        # holidays and their neighbours, year ends
        date(2026, 4, 24),
        date(2026, 4, 27),
        date(2026, 5, 5),
        date(2026, 5, 14),
        date(2025, 12, 24),
        date(2025, 12, 26),
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2025, 4, 26),
        date(2026, 7, 21),
        date(2026, 12, 24),
    }
)

JITTER = (0, 0, 0, 1, -1, US, -US, 60 * US, -30 * 60 * US)

days = st.one_of(st.dates(FIRST_DAY, LAST_DAY), st.sampled_from(SPECIAL_DAYS))


def boundary_walls(cal: Calendar) -> list[int]:
    """Every wall-clock time (seconds) at which this calendar opens or closes, plus the
    times where DST changes happen."""
    walls = {0, 86_400, 2 * 3600, 2 * 3600 + 1800, 3 * 3600}
    for day in cal.weekly:
        for s, e in day:
            walls |= {s, e}
    return sorted(walls)


def instants(cal: Calendar) -> st.SearchStrategy[int]:
    """Epoch microseconds: half at a calendar boundary (+- jitter), half anywhere."""
    zone = ZoneInfo(cal.zone_name)

    def at_wall(day: date, wall: int, fold: int, jitter: int) -> int:
        naive = datetime.combine(day, time()) + timedelta(seconds=wall)
        return micros(naive.replace(tzinfo=zone, fold=fold)) + jitter

    walled = st.builds(
        at_wall,
        days,
        st.sampled_from(boundary_walls(cal)),
        st.integers(0, 1),
        st.sampled_from(JITTER),
    )
    return st.one_of(st.integers(LO_US, HI_US), walled)


allowances = st.one_of(
    st.integers(0, 60 * HOUR_US),
    st.builds(
        lambda h, j: max(0, h * HOUR_US + j),
        st.sampled_from([0, 1, 2, 7, 8, 9, 16, 24, 40]),
        st.sampled_from(JITTER),
    ),
)


def near(cal: Calendar, max_gap: int = 21 * DAY_US) -> st.SearchStrategy[tuple[int, int]]:
    """Two instants at most `max_gap` apart, in either order."""
    return st.tuples(instants(cal), instants(cal), st.integers(-max_gap, max_gap)).map(
        lambda t: (t[0], t[1]) if abs(t[1] - t[0]) <= max_gap else (t[0], t[0] + t[2])
    )

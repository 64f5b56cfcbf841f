"""When things happen: days of the run, weekly and daily rhythms, holidays, Poisson draws.

Buyers ask and order all week but most in working hours; weekends and the country's
holidays are quieter; calls come almost only in office hours. Rates are drawn per seller
and day, and times inside a day from an hourly profile in the marketplace's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from servicenorm.clock import holiday_set
from servicenorm.demo.zoneclock import ZoneClock

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

# Which official holidays buyers in a country keep (the clock's named sets; docs/clock.md).
HOLIDAY_SETS = {"NL": "NL-Atw", "BE": "BE-legal"}
MARGIN_DAYS = 40  # ship-by dates and replies run past the last day; they are cut at the end


def holiday_set_name(country: str) -> str:
    return HOLIDAY_SETS.get(country, country)


# One row of 24 hourly weights per line reads as a profile, so the formatter leaves it.
# fmt: off
# Relative activity per local hour (0..23) on working days and on rest days.
_HOURS: dict[str, tuple[list[float], list[float]]] = {
    "question": (
        [0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.5, 2.2, 2.4, 2.3, 2.0, 2.1, 2.2, 2.1, 1.9, 1.6, 1.3, 1.4, 1.5, 1.3, 0.9, 0.5],
        [0.3, 0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.7, 1.1, 1.4, 1.5, 1.5, 1.4, 1.4, 1.4, 1.3, 1.2, 1.2, 1.4, 1.5, 1.3, 0.9, 0.5],
    ),
    "order": (
        [0.3, 0.15, 0.08, 0.05, 0.05, 0.1, 0.3, 0.7, 1.1, 1.3, 1.4, 1.4, 1.5, 1.4, 1.3, 1.3, 1.3, 1.4, 1.5, 1.9, 2.2, 2.1, 1.5, 0.8],
        [0.4, 0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.7, 1.1, 1.4, 1.5, 1.5, 1.5, 1.4, 1.4, 1.4, 1.5, 1.6, 1.9, 2.2, 2.0, 1.4, 0.8],
    ),
    "call": (
        [0, 0, 0, 0, 0, 0, 0.02, 0.2, 1.2, 2.5, 2.6, 2.3, 1.8, 2.2, 2.3, 2.0, 1.6, 0.8, 0.5, 0.45, 0.35, 0.2, 0.05, 0],
        [0, 0, 0, 0, 0, 0, 0, 0.05, 0.2, 0.6, 0.8, 0.8, 0.7, 0.7, 0.7, 0.6, 0.5, 0.3, 0.2, 0.2, 0.15, 0.1, 0, 0],
    ),
}
# fmt: on
# Relative volume per weekday (Mon..Sun) and on a holiday.
_DAYS: dict[str, tuple[list[float], float]] = {
    "question": ([1.15, 1.05, 1.0, 1.0, 0.95, 0.6, 0.55], 0.5),
    "order": ([1.05, 1.0, 1.0, 1.0, 0.95, 0.8, 0.95], 0.8),
    "call": ([1.2, 1.05, 1.0, 1.0, 0.9, 0.12, 0.06], 0.1),
}


@dataclass(frozen=True)
class Grid:
    """The run's dates in one zone, with a margin after the end for events that run past it."""

    clock: ZoneClock
    start: date
    days: int
    midnight: I64  # local 00:00 of each date (span + 1 values)
    weekday: npt.NDArray[np.int8]
    rest: dict[str, Bools]  # per country: weekend or holiday, per date

    @property
    def span(self) -> int:
        return int(self.weekday.shape[0])

    @property
    def end_us(self) -> int:
        return int(self.midnight[self.days])

    def at(self, day: I64, second_of_day: I64) -> I64:
        return self.clock.local_to_us(self.midnight[day], second_of_day)

    def day_of(self, t_us: I64) -> I64:
        """Index of the local date of each instant (clipped to the grid)."""
        return np.clip(np.searchsorted(self.midnight, t_us, side="right") - 1, 0, self.span - 1)

    def business_day_after(self, country: str, day: I64, k: npt.NDArray[np.int64]) -> I64:
        """The k-th working day (no weekend, no holiday) after each date; k = 0 is the date itself."""
        work = ~self.rest[country]
        rank = np.cumsum(work)  # working days up to and including each date
        target = rank[day] + k
        return np.minimum(np.searchsorted(rank, target, side="left"), self.span - 1)


def make_grid(clock: ZoneClock, start: date, days: int, countries: list[str]) -> Grid:
    span = days + MARGIN_DAYS
    weekday = np.array([(start + timedelta(days=i)).weekday() for i in range(span)], dtype=np.int8)
    years = range(start.year, (start + timedelta(days=span)).year + 1)
    rest: dict[str, Bools] = {}
    for country in countries:
        closed = holiday_set(holiday_set_name(country)).dates(years)
        hol = np.array([(start + timedelta(days=i)) in closed for i in range(span)], dtype=bool)
        rest[country] = hol | (weekday >= 5)
    return Grid(clock, start, days, clock.midnights(start, span), weekday, rest)


def day_weights(kind: str, grid: Grid, country: str) -> F64:
    per_weekday, holiday = _DAYS[kind]
    w = np.array(per_weekday)[grid.weekday]
    hol = grid.rest[country] & (grid.weekday < 5)
    return np.where(hol, holiday, w)


def draw(
    kind: str, rng: np.random.Generator, lam: F64, grid: Grid, rest: Bools
) -> tuple[I64, I64, I64]:
    """Poisson counts per (seller, day) from `lam`; each event gets an instant in that day.

    `rest` marks, per (seller, day), the days that follow the rest-day hourly profile.
    Returns (seller, day, at_us), in seller-then-day order.
    """
    counts = rng.poisson(lam).ravel()
    n_sellers, n_days = lam.shape
    cell = np.repeat(np.arange(n_sellers * n_days, dtype=np.int64), counts)
    seller, day = np.divmod(cell, n_days)
    work_hours, rest_hours = (np.cumsum(h) / np.sum(h) for h in map(np.array, _HOURS[kind]))
    u = rng.random(cell.shape[0])
    on_rest = rest.ravel()[cell]
    hour = np.where(
        on_rest,
        np.searchsorted(rest_hours, u, side="right"),
        np.searchsorted(work_hours, u, side="right"),
    )
    second = np.minimum(hour, 23) * 3600 + rng.integers(0, 3600, cell.shape[0])
    return seller, day, grid.at(day, second)

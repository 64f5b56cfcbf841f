"""Delays: log-normal draws, and instants reached after working time on a seller's calendar."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from servicenorm.clock import Calendar
from servicenorm.clock.instants import US_PER_S

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


def lognormal_s(
    rng: np.random.Generator,
    median_s: F64 | float,
    sigma: F64 | float,
    n: int,
    lo: float,
    hi: float,
) -> F64:
    """Seconds, log-normal around `median_s`, clipped to [lo, hi]."""
    return np.clip(np.exp(np.log(median_s) + sigma * rng.standard_normal(n)), lo, hi)


def uniform_us(rng: np.random.Generator, lo_s: float, hi_s: float, n: int) -> I64:
    return rng.integers(int(lo_s * US_PER_S), int(hi_s * US_PER_S), n, dtype=np.int64)


def after_working(calendars: list[Calendar], group: I32, start: I64, seconds: F64) -> I64:
    """The instant at which `seconds` of working time on each row's calendar have passed.

    This is the clock's own deadline rule (docs/clock.md): a seller who starts at night answers in
    the morning; a delay that ends at closing time lands on the next opening.
    """
    out = np.empty(start.shape[0], dtype=np.int64)
    wanted = (seconds * US_PER_S).astype(np.int64)
    for g, cal in enumerate(calendars):
        rows = np.flatnonzero(group == g)
        if rows.size:
            out[rows] = cal.deadline_us(start[rows], wanted[rows])
    return out

"""Where the current instant comes from: one callable, chosen in the composition root.

The pure core takes `now` as an argument; only the edges (the web dependency `NowDep`, the
background worker, the CLI's defaults) ask a clock for it. A deployment uses the wall clock;
tests and demos of a past date use a fixed instant, so no result depends on the day it is run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from servicenorm.clock.instants import require_aware

Now = Callable[[], datetime]


def wall_clock() -> datetime:
    """The machine's current instant, in UTC."""
    return datetime.now(UTC)


def fixed_clock(at: datetime) -> Now:
    """A clock that always reads `at` (timezone-aware)."""
    require_aware(at, "the fixed clock's instant")
    frozen = at.astimezone(UTC)

    def now() -> datetime:
        return frozen

    return now

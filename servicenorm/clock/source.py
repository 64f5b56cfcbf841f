"""Where the current instant comes from: one callable, chosen in the composition root.

The pure core takes `now` as an argument; only the edges (the web dependency `NowDep`, the
background worker, the CLI's defaults) ask a clock for it. A deployment uses the wall clock;
tests and demos of a past date use a fixed instant, so no result depends on the day it is run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

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


def running_clock(start: datetime) -> Now:
    """A clock that read `start` when this process started and runs at the machine's pace from
    there: a fixed day for a demo or a test server, with later events still later. Every such
    clock of a process reads the same (two apps of one test agree on what happened first)."""
    require_aware(start, "the clock's start")
    origin = start.astimezone(UTC)

    def now() -> datetime:
        return origin + timedelta(seconds=time.monotonic() - _PROCESS_START)

    return now


_PROCESS_START = time.monotonic()

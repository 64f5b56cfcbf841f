"""Absence notice with the working-time clock (docs/enforcement.md, SWOPiFY's rules), pure.

An absence of more than N working days (counted on the policy's calendar, so holidays and
weekends are not working days) must be announced at least `notice_days` calendar days before
its first day; "before" is the first instant of that local date in the calendar's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from servicenorm.clock import Calendar, from_us
from servicenorm.clock.kernel import local_midnight
from servicenorm.policy.schema import AbsenceRule


def working_days(cal: Calendar, start: date, end: date) -> int:
    """Local dates from `start` to `end` (inclusive) on which the calendar is open at all."""
    if end < start:
        raise ValueError("an absence ends on or after its first day")
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    lo = np.array([local_midnight(cal.zone, d) for d in days], dtype=np.int64)
    hi = np.array([local_midnight(cal.zone, d + timedelta(days=1)) for d in days], dtype=np.int64)
    return int((cal.working_us(lo, hi) > 0).sum())


@dataclass(frozen=True)
class NoticeCheck:
    working_days: int
    needs_notice: bool
    needed_by: datetime | None  # the latest announcement in time
    late: bool


def check_notice(
    rule: AbsenceRule, cal: Calendar, start: date, end: date, announced_at: datetime
) -> NoticeCheck:
    n = working_days(cal, start, end)
    if n <= rule.longer_than_working_days:
        return NoticeCheck(n, False, None, False)
    needed_by = from_us(
        local_midnight(cal.zone, start - timedelta(days=rule.notice_days)), cal.zone
    )
    return NoticeCheck(n, True, needed_by, announced_at > needed_by)

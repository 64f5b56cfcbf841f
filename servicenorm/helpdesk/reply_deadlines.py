"""When a reply is due: a seller's response calendar and allowance under its marketplace's
policy (read through the one policy cache, `policy.stored.policy_for`), and a preset checked
as a request field."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np

from servicenorm.access.errors import Invalid
from servicenorm.clock import Calendar, from_us, to_us
from servicenorm.policy import Policy
from servicenorm.policy.stored import policy_for

__all__ = ["checked_policy", "deadline_for", "deadlines_for", "response_clock"]


def checked_policy(preset: str, field: str = "preset") -> Policy:
    try:
        return policy_for(preset)
    except ValueError as e:
        raise Invalid(str(e), field) from None


def response_clock(preset: str, country: str) -> tuple[Calendar, timedelta]:
    policy = policy_for(preset)
    return policy.response_calendar(country), policy.response.allowance


def deadline_for(preset: str, country: str, at: datetime) -> datetime:
    """When a reply to a buyer message that arrived at `at` is due (docs/clock.md, R2)."""
    calendar, allowance = response_clock(preset, country)
    return calendar.deadline(at, allowance).astimezone(UTC)


def deadlines_for(preset: str, country: str, ats: Sequence[datetime]) -> list[datetime]:
    """`deadline_for` of many arrivals at once, with the vector clock (the same instants)."""
    calendar, allowance = response_clock(preset, country)
    due = calendar.deadline_us(
        np.fromiter((to_us(a) for a in ats), dtype=np.int64, count=len(ats)),
        allowance // timedelta(microseconds=1),
    )
    return [from_us(d) for d in due.tolist()]

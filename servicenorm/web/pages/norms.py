"""Per norm of a seller's policy: value, threshold, status and what the seller needs (pure).

Value, threshold and "below" come from the norm registry (`servicenorm.norms`), the same
readings findings and enforcement use, so the page says exactly what enforcement acts on.
The status, "at risk" included, is the registry's (`Reading.status`, `servicenorm.norms.Risk`):
met, but close enough to the threshold, with enough items, that an operator would act.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from servicenorm.norms import Counted, Kind, Norm, Reading, Status, norms_for
from servicenorm.norms import worst as worst_status
from servicenorm.policy import Policy


@dataclass(frozen=True)
class Need:
    """How far the seller is from the line: on-time items needed to get back above it, or
    misses the seller can still afford. `impossible`: no number of good items is enough."""

    good_needed: int = 0
    misses_allowed: int = 0
    impossible: bool = False


@dataclass(frozen=True)
class TrendPoint:
    week: str  # ISO week, YYYY-Www
    value: Fraction | None
    good: int = 0
    bad: int = 0
    pending: int = 0


@dataclass(frozen=True)
class NormRow:
    reading: Reading
    status: Status
    need: Need | None = None
    alert_weeks: tuple[str, ...] = ()
    trend: tuple[TrendPoint, ...] = ()

    @property
    def norm(self) -> str:
        return self.reading.slug

    @property
    def spec(self) -> Norm:
        return self.reading.norm

    @property
    def kind(self) -> Kind:
        return self.reading.norm.kind

    @property
    def value(self) -> Fraction | None:
        return self.reading.value

    @property
    def threshold(self) -> Fraction | None:  # None: no norm yet (question rate without orders)
        return self.reading.threshold

    @property
    def in_score(self) -> bool:
        return self.reading.in_score

    @property
    def good(self) -> int:  # on time / answered / with tracking / reviews / orders
        return self.reading.good

    @property
    def bad(self) -> int:  # late / missed / questions
        return self.reading.bad

    @property
    def pending(self) -> int:
        return self.reading.pending

    @property
    def detail(self) -> str:  # a weekly norm: the ISO week the value belongs to
        return self.reading.detail

    @property
    def explain(self) -> str:
        """The metric whose items are behind the number (the drill-down)."""
        return self.reading.norm.evidence.metric


def rate_need(good: int, bad: int, target: Fraction | float) -> Need:
    """Exact in fractions: `target` 0.9 is nine tenths, not a binary float below it."""
    t = target if isinstance(target, Fraction) else Fraction(str(target))
    if good + bad == 0:
        return Need()
    if Fraction(good, good + bad) >= t:
        allowed = good / t - good - bad if t > 0 else None
        return Need(misses_allowed=10**9 if allowed is None else math.floor(allowed))
    if t >= 1:
        return Need(impossible=True)
    return Need(good_needed=math.ceil((t * (good + bad) - good) / (1 - t)))


def average_need(
    count: int, total: Fraction | float, minimum: Fraction | float, best: int = 5, worst: int = 1
) -> Need:
    """Reviews: best-rated reviews needed to lift the average to `minimum`, or how many
    worst-rated ones it can absorb."""
    m = minimum if isinstance(minimum, Fraction) else Fraction(str(minimum))
    tot = total if isinstance(total, Fraction) else Fraction(str(round(total, 6)))
    if count == 0:
        return Need()
    if tot / count >= m:
        return Need(
            misses_allowed=10**9 if m <= worst else math.floor((tot - m * count) / (m - worst))
        )
    if m >= best:
        return Need(impossible=True)
    return Need(good_needed=math.ceil((m * count - tot) / (best - m)))


def _need(r: Reading) -> Need | None:
    if r.value is None or r.threshold is None:
        return None
    if r.norm.kind == "rate":
        return rate_need(r.good, r.bad, r.threshold)
    if r.norm.kind == "average":
        return average_need(r.good, r.value * r.good, r.threshold)
    if r.norm.kind == "count":
        return Need(misses_allowed=max(int(r.threshold) - 1 - r.bad, 0))
    return None


def seller_norms(
    policy: Policy,
    entry: dict[str, Any],
    *,
    current_week: str,
    week_pending: int = 0,
    trends: dict[str, tuple[TrendPoint, ...]] | None = None,
) -> list[NormRow]:
    """The rows of the performance page for one seller. `entry` is the seller's entry of
    the metric report; `week_pending` the questions of the current ISO week still open
    (weekly norms show the current week)."""
    trends = trends or {}
    rows: list[NormRow] = []
    for n in norms_for(policy):
        alerts: tuple[str, ...] = ()
        if n.weekly:
            r = n.evaluate(policy, entry, current_week) or n.judge(
                Counted(Fraction(0)), n.threshold(policy, entry), policy
            )
            r = replace(r, detail=current_week, pending=week_pending)
            alerts = tuple(x.detail for x in n.readings(policy, entry) if x.missed)
        else:
            found = n.evaluate(policy, entry)
            if found is None:
                continue
            r = found
        need = _need(r)
        rows.append(NormRow(r, r.status, need, alerts, trends.get(n.slug, ())))
    return rows


def worst(rows: Sequence[NormRow], in_score_only: bool = False) -> Status:
    return worst_status(r.status for r in rows if r.in_score or not in_score_only)

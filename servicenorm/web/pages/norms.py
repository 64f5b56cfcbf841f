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
from servicenorm.policy import Policy

STATUS_ORDER: dict[Status, int] = {"below": 0, "at_risk": 1, "meets": 2, "no_data": 3}


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


<<<<<<< HEAD
def rate_need(good: int, bad: int, target: Fraction | float) -> Need:
=======
def share(good: int, bad: int, reported: float | None) -> float | None:
    """good / (good + bad), unrounded. The report rounds rates to 4 places; shown with one
    decimal that would round twice (15 of 19 is 78.9 %, its reported 0.7895 would read 79 %)."""
    return good / (good + bad) if good + bad else reported


def rate_need(good: int, bad: int, target: float) -> Need:
>>>>>>> 5880a61 (Every clock read goes through the container or SERVICENORM_NOW (CLI defaults too), a running clock keeps order when fixed to a day; the API and CLI tests run at fixed instants; rate cards show the exact share (the report's 4-place rate rounded twice); the contract and golden examples are in the repository, checked against the shared copy)
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
<<<<<<< HEAD
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
=======
    resp = policy.response
    slug = "message_response" if resp.every_message else "first_response"
    c = entry[slug]
    need = rate_need(c["on_time"], c["late"], resp.target)
    rows.append(
        NormRow(
            slug,
            "rate",
            share(c["on_time"], c["late"], c["rate"]),
            resp.target,
            True,
            _rate_status(c["rate"], need, c["pending"], _finding(found, slug) is not None),
            resp.in_score,
            c["on_time"],
            c["late"],
            c["pending"],
            need,
            trend=trends.get(slug, ()),
            explain=EXPLAINED_BY[slug],
        )
    )
    if policy.weekly_alert is not None:
        limit = policy.weekly_alert.late_at_least
        late = int(entry["weekly_late"].get(current_week, 0))
        status: Status = (
            "below"
            if _finding(found, "weekly_late", current_week) is not None
            else "at_risk"
            if late + week_pending >= limit
            else "meets"
        )
        alerts = tuple(f.detail for f in found if f.norm == "weekly_late")
        rows.append(
            NormRow(
                "weekly_late",
                "count",
                late,
                limit,
                False,
                status,
                False,
                bad=late,
                pending=week_pending,
                need=Need(misses_allowed=max(limit - 1 - late, 0)),
                detail=current_week,
                alert_weeks=alerts,
                trend=trends.get("weekly_late", ()),
                explain=EXPLAINED_BY["weekly_late"],
            )
        )
    phone = entry.get("phone")
    if policy.phone is not None and phone is not None:
        answered, attempts = int(phone["answered"]), int(phone["attempts"])
        need = rate_need(answered, attempts - answered, policy.phone.target)
        rows.append(
            NormRow(
                "phone",
                "rate",
                share(answered, attempts - answered, phone["rate"]),
                policy.phone.target,
                True,
                _rate_status(phone["rate"], need, 0, _finding(found, "phone") is not None),
                True,
                answered,
                attempts - answered,
                0,
                need,
                trend=trends.get("phone", ()),
                explain=EXPLAINED_BY["phone"],
            )
        )
    qr, q = policy.question_rate, entry["question_rate"]
    if qr is not None:
        limit_q = round(q["norm"] * (1 + qr.tolerance), 4) if q["norm"] is not None else None
        status = (
            "no_data"
            if q["rate"] is None or q["norm"] is None
            else "below"
            if _finding(found, "question_rate") is not None
            else "meets"
        )
        rows.append(
            NormRow(
                "question_rate",
                "ratio",
                q["rate"],
                limit_q,
                False,
                status,
                qr.in_score,
                good=int(q["orders"]),
                bad=int(q["questions"]),
                explain=EXPLAINED_BY["question_rate"],
                extra={"norm": q["norm"], "orders": q["orders"], "questions": q["questions"]},
            )
        )
    sh, shp = policy.shipping, entry["shipping"]
    decided = shp["on_time"] + shp["late"]
    if sh.target_on_time is not None:
        need = rate_need(shp["on_time"], shp["late"], sh.target_on_time)
        rows.append(
            NormRow(
                "shipping_on_time",
                "rate",
                shp["rate_on_time"],
                sh.target_on_time,
                True,
                _rate_status(
                    shp["rate_on_time"],
                    need,
                    shp["pending"],
                    _finding(found, "shipping_on_time") is not None,
                ),
                True,
                shp["on_time"],
                shp["late"],
                shp["pending"],
                need,
                trend=trends.get("shipping_on_time", ()),
                explain=EXPLAINED_BY["shipping_on_time"],
            )
        )
    if sh.target_on_time_with_tracking is not None:
        good = shp["on_time_with_tracking"]
        need = rate_need(good, decided - good, sh.target_on_time_with_tracking)
        rows.append(
            NormRow(
                "shipping_on_time_with_tracking",
                "rate",
                shp["rate_on_time_with_tracking"],
                sh.target_on_time_with_tracking,
                True,
                _rate_status(
                    shp["rate_on_time_with_tracking"],
                    need,
                    shp["pending"],
                    _finding(found, "shipping_on_time_with_tracking") is not None,
                ),
                True,
                good,
                decided - good,
                shp["pending"],
                need,
                trend=trends.get("shipping_on_time_with_tracking", ()),
                explain=EXPLAINED_BY["shipping_on_time_with_tracking"],
            )
        )
    rv = entry["reviews"]
    if policy.reviews.min_average is not None:
        count = int(rv["count"])
        total = reviews_total if reviews_total is not None else (rv["average"] or 0.0) * count
        need = average_need(count, total, policy.reviews.min_average)
        status = (
            "no_data"
            if rv["average"] is None
            else "below"
            if _finding(found, "reviews") is not None
            else "at_risk"
            if need.misses_allowed < 1
            else "meets"
        )
        rows.append(
            NormRow(
                "reviews",
                "average",
                rv["average"],
                policy.reviews.min_average,
                True,
                status,
                True,
                good=count,
                need=need,
                trend=trends.get("reviews", ()),
                explain=EXPLAINED_BY["reviews"],
            )
        )
>>>>>>> 5880a61 (Every clock read goes through the container or SERVICENORM_NOW (CLI defaults too), a running clock keeps order when fixed to a day; the API and CLI tests run at fixed instants; rate cards show the exact share (the report's 4-place rate rounded twice); the contract and golden examples are in the repository, checked against the shared copy)
    return rows


def worst(rows: Sequence[NormRow], in_score_only: bool = False) -> Status:
    statuses = [r.status for r in rows if r.in_score or not in_score_only]
    return min(statuses, key=lambda s: STATUS_ORDER[s], default="no_data")

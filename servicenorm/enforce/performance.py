"""The data of a seller's performance page (bol's 'Prestaties', seed 003), pure.

Per norm: the seller's figure, the threshold, whether it is met and whether it counts in the
performance score; the score is the share of counting norms met. The question rate is shown
against the personal dynamic norm but does not count (seed 003: "telt nog niet mee").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from servicenorm.policy import Policy


@dataclass(frozen=True)
class NormLine:
    norm: str
    value: float | None
    threshold: float | None
    comparison: str  # at_least or at_most
    met: bool | None  # None: no figure yet
    in_score: bool


def _line(
    norm: str, value: float | None, threshold: float | None, comparison: str, in_score: bool
) -> NormLine:
    if value is None or threshold is None:
        return NormLine(norm, value, threshold, comparison, None, in_score)
    met = value >= threshold if comparison == "at_least" else value <= threshold
    return NormLine(norm, value, threshold, comparison, met, in_score)


def performance(m: dict[str, Any], policy: Policy) -> dict[str, Any]:
    """One seller's report entry (contract JSON) as page data."""
    r = policy.response
    norm = "message_response" if r.every_message else "first_response"
    lines = [_line(norm, m[norm]["rate"], r.target, "at_least", r.in_score)]
    if policy.phone is not None and m.get("phone") is not None:
        lines.append(_line("phone", m["phone"]["rate"], policy.phone.target, "at_least", True))
    if policy.question_rate is not None:
        q = m["question_rate"]
        limit = (
            None
            if q["norm"] is None
            else round(q["norm"] * (1 + policy.question_rate.tolerance), 4)
        )
        lines.append(
            _line("question_rate", q["rate"], limit, "at_most", policy.question_rate.in_score)
        )
    sh = policy.shipping
    if sh.target_on_time is not None:
        lines.append(
            _line(
                "shipping_on_time",
                m["shipping"]["rate_on_time"],
                sh.target_on_time,
                "at_least",
                True,
            )
        )
    if sh.target_on_time_with_tracking is not None:
        lines.append(
            _line(
                "shipping_on_time_with_tracking",
                m["shipping"]["rate_on_time_with_tracking"],
                sh.target_on_time_with_tracking,
                "at_least",
                True,
            )
        )
    if policy.reviews.min_average is not None:
        lines.append(
            _line("reviews", m["reviews"]["average"], policy.reviews.min_average, "at_least", True)
        )
    counted = [x for x in lines if x.in_score and x.met is not None]
    weekly = None
    if policy.weekly_alert is not None:
        weekly = [
            {"week": w, "late": n, "alert": n >= policy.weekly_alert.late_at_least}
            for w, n in sorted(m["weekly_late"].items())
        ]
    return {
        "score": round(sum(x.met is True for x in counted) / len(counted), 4) if counted else None,
        "norms": [x.__dict__ for x in lines],
        "weekly_late": weekly,
    }

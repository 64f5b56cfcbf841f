"""Findings: a metric report held against the policy's thresholds (SPEC R4.2).

A finding names the norm, the seller's value, the threshold and how they compare; the
enforcement ladder turns findings into actions. Pure: the report already fixes the window
and as-of, so the same report always gives the same findings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from servicenorm.policy import Policy

Comparison = Literal["below", "at_least", "above"]


@dataclass(frozen=True)
class Finding:
    seller: str
    norm: str  # first_response, message_response, weekly_late, phone, question_rate, shipping, reviews
    value: float
    threshold: float
    comparison: Comparison  # how value relates to threshold to be a finding
    window: tuple[str, str]
    as_of: str
    detail: str = ""  # e.g. the ISO week for weekly_late
    in_score: bool = True
    evidence: tuple[str, ...] = field(default=())

    @property
    def key(self) -> str:
        """Stable identity: the same finding from a second run of the same evaluation."""
        return f"{self.seller}|{self.norm}|{self.detail}|{self.window[0]}|{self.window[1]}"

    def describe(self) -> str:
        if self.norm == "weekly_late":
            return f"{int(self.value)} questions without a timely first reply in {self.detail} (alert at {int(self.threshold)})"
        if self.norm == "question_rate":
            return f"{self.value:.3f} questions per order, above the personal norm {self.threshold:.3f}"
        if self.norm == "reviews":
            return f"average rating {self.value:.2f}, below {self.threshold:.2f}"
        return (
            f"{self.norm.replace('_', ' ')} {self.value:.1%}, below the norm {self.threshold:.0%}"
        )


def findings(rep: dict[str, Any], policy: Policy) -> list[Finding]:
    """All findings of a report (the contract JSON of `servicenorm evaluate`)."""
    window = (rep["window"]["from"], rep["window"]["to"])
    out: list[Finding] = []
    for seller, m in sorted(rep["sellers"].items()):
        out.extend(_seller(seller, m, policy, window, rep["as_of"]))
    return out


def _seller(
    seller: str, m: dict[str, Any], policy: Policy, window: tuple[str, str], as_of: str
) -> Iterator[Finding]:
    def below(
        norm: str, value: float | None, threshold: float | None, in_score: bool = True
    ) -> Iterator[Finding]:
        if value is not None and threshold is not None and value < threshold:
            yield Finding(seller, norm, value, threshold, "below", window, as_of, in_score=in_score)

    resp = policy.response
    norm = "message_response" if resp.every_message else "first_response"
    yield from below(norm, m[norm]["rate"], resp.target, resp.in_score)
    if policy.weekly_alert is not None:
        for week, late in sorted(m["weekly_late"].items()):
            if late >= policy.weekly_alert.late_at_least:
                yield Finding(
                    seller,
                    "weekly_late",
                    late,
                    policy.weekly_alert.late_at_least,
                    "at_least",
                    window,
                    as_of,
                    detail=week,
                    in_score=False,
                )
    if policy.phone is not None and m["phone"] is not None:
        yield from below("phone", m["phone"]["rate"], policy.phone.target)
    qr = policy.question_rate
    q = m["question_rate"]
    if qr is not None and q["rate"] is not None and q["norm"] is not None:
        limit = q["norm"] * (1 + qr.tolerance)
        if q["rate"] > limit:
            yield Finding(
                seller,
                "question_rate",
                q["rate"],
                round(limit, 4),
                "above",
                window,
                as_of,
                in_score=qr.in_score,
            )
    sh = policy.shipping
    yield from below("shipping_on_time", m["shipping"]["rate_on_time"], sh.target_on_time)
    yield from below(
        "shipping_on_time_with_tracking",
        m["shipping"]["rate_on_time_with_tracking"],
        sh.target_on_time_with_tracking,
    )
    yield from below("reviews", m["reviews"]["average"], policy.reviews.min_average)

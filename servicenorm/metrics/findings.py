"""Findings: a metric report held against the policy's thresholds (SPEC R4.2).

A finding names the norm, the seller's value, the threshold and how they compare; the
enforcement ladder turns findings into actions. Pure: the report already fixes the window
and as-of, so the same report always gives the same findings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from servicenorm.norms import MISSED, NORMS, Counted, Reading, decimal, norms_for, reason
from servicenorm.policy import Policy

Comparison = Literal["below", "at_least", "above"]


@dataclass(frozen=True)
class Finding:
    seller: str
    norm: str  # a slug of the norm registry (servicenorm.norms), or holistic / new_shop_complaints
    value: float
    threshold: float
    comparison: Comparison  # how value relates to threshold to be a finding
    window: tuple[str, str]
    as_of: str
    detail: str = ""  # e.g. the ISO week for weekly_late
    in_score: bool = True
    evidence: tuple[str, ...] = field(default=())
    reading: Reading | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        """Stable identity: the same finding from a second run of the same evaluation."""
        return f"{self.seller}|{self.norm}|{self.detail}|{self.window[0]}|{self.window[1]}"

    def describe(self) -> str:
        if self.reading is not None:
            return reason(self.reading)
        n = NORMS.get(self.norm)
        if n is not None:  # a finding read back from the store: its figures, without the counts
            r = n.judge(Counted(decimal(self.value)), decimal(self.threshold), None)
            return reason(replace(r, detail=self.detail))
        return f"{self.norm.replace('_', ' ')} {self.value:g} against {self.threshold:g}"


def finding(seller: str, r: Reading, window: tuple[str, str], as_of: str) -> Finding:
    """A missed reading as a finding (its value and threshold as floats for storage; the
    reading keeps the exact figures)."""
    assert r.value is not None and r.threshold is not None
    comparison: Comparison = MISSED[r.norm.comparison]  # type: ignore[assignment]
    return Finding(
        seller,
        r.slug,
        float(r.value),
        float(r.threshold),
        comparison,
        window,
        as_of,
        detail=r.detail,
        in_score=r.in_score,
        reading=r,
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
    for n in norms_for(policy):
        for r in n.readings(policy, m):
            if r.missed:
                yield finding(seller, r, window, as_of)

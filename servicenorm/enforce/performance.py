"""The data of a seller's performance page (bol's 'Prestaties', bol's norms), pure.

Per norm of the registry: the seller's figure, the threshold, whether it is met and whether it
counts in the performance score; the score is the share of counting norms met. The question
rate is shown against the personal dynamic norm but does not count at bol (bol's norms: "telt
nog niet mee"). Weekly norms are listed per week, outside the score.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from servicenorm.norms import Reading, norms_for
from servicenorm.policy import Policy


@dataclass(frozen=True)
class NormLine:
    norm: str
    value: float | None
    threshold: float | None
    comparison: str  # the registry's: at_least, at_most or below
    met: bool | None  # None: no figure yet
    in_score: bool


def _line(r: Reading) -> NormLine:
    def f(v: Fraction | None) -> float | None:
        return None if v is None else float(v)

    return NormLine(r.slug, f(r.value), f(r.threshold), r.norm.comparison, r.met, r.in_score)


def score(readings: list[Reading]) -> Fraction | None:
    """The share of the in-score norms with a figure that are met, exactly."""
    counted = [r for r in readings if r.in_score and r.met is not None and not r.norm.weekly]
    return Fraction(sum(r.met is True for r in counted), len(counted)) if counted else None


def performance(m: dict[str, Any], policy: Policy) -> dict[str, Any]:
    """One seller's report entry (contract JSON) as page data."""
    readings = [r for n in norms_for(policy) for r in n.readings(policy, m)]
    lines = [_line(r) for r in readings if not r.norm.weekly]
    weekly = (
        [r for r in readings if r.norm.weekly] if any(n.weekly for n in norms_for(policy)) else None
    )
    s = score(readings)
    return {
        "score": None if s is None else round(float(s), 4),
        "norms": [x.__dict__ for x in lines],
        "weekly_late": None
        if weekly is None
        else [{"week": r.detail, "late": r.bad, "alert": r.met is False} for r in weekly],
    }

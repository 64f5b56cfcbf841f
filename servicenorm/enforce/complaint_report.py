"""Yearly complaint figures (P2B Art. 11(4); DSA Art. 15(1)(d)), pure over complaint rows.

P2B: the number of complaints, their main types (the decision's kind and reason), the
average time to process them and their outcomes. DSA: the median time to a decision and
how many decisions were reversed. Handling time is elapsed time from filing to decision.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from statistics import mean, median
from typing import Any

from servicenorm.enforce.complaints import OUTCOMES


@dataclass(frozen=True)
class ComplaintFacts:
    kind: str
    reason_code: str
    filed_at: datetime
    decided_at: datetime | None
    outcome: str | None


def figures(year: int, rows: Iterable[ComplaintFacts]) -> dict[str, Any]:
    """The year's figures over the complaints filed in it."""
    mine = [r for r in rows if r.filed_at.year == year]
    decided = [r for r in mine if r.decided_at is not None and r.outcome is not None]
    hours = [
        (r.decided_at - r.filed_at).total_seconds() / 3600
        for r in decided
        if r.decided_at is not None
    ]
    types = Counter(f"{r.kind}/{r.reason_code}" for r in mine)
    outcomes = Counter(r.outcome for r in decided)
    return {
        "year": year,
        "complaints": len(mine),
        "decided": len(decided),
        "open": len(mine) - len(decided),
        "main_types": [{"type": t, "complaints": n} for t, n in types.most_common()],
        "outcomes": {o: outcomes.get(o, 0) for o in OUTCOMES},
        "handling_hours": {
            "average": None if not hours else round(mean(hours), 2),
            "median": None if not hours else round(median(hours), 2),
        },
        "dsa_art_15": {
            "median_hours_to_decision": None if not hours else round(median(hours), 2),
            "reversed": outcomes.get("reversed", 0) + outcomes.get("partly_reversed", 0),
        },
    }

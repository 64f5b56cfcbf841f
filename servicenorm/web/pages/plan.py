""" "What you need" as a plan with dates: a rolling window forgets its oldest days, so each
late answer stops counting on a known date. For a response norm below or at risk, the
dates on which late items leave the window and the figure after each, if nothing new is
late (bol and Amazon sellers ask exactly this)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from servicenorm.web.pages.board import Board
from servicenorm.web.pages.norms import NormRow

STEPS = 6


@dataclass(frozen=True)
class Step:
    day: date  # the first day these items no longer count
    late: int  # late items leaving that day
    on_time: int  # on-time items leaving with them
    value: Fraction | None  # the figure from that day on, if nothing new is late
    meets: bool


def dropout_plan(board: Board, seller: str, row: NormRow) -> list[Step]:
    if (
        not row.spec.dated_plan
        or row.status not in ("below", "at_risk")
        or row.threshold is None
        or not row.bad
    ):
        return []
    counted = board.day_counts(row.explain, seller)
    days: dict[date, list[int]] = {}
    if counted is not None:  # counted per local day with the page's figures
        days = {d: [g, b] for d, (g, b) in counted.items()}
    else:
        for r in board.items(row.explain, seller):
            at = r.get("received_at")
            status = r.get("status")
            if at is None or status not in ("on_time", "late"):
                continue
            cell = days.setdefault(at.date(), [0, 0])  # received_at is in the policy's zone
            cell[0 if status == "on_time" else 1] += 1
    good = sum(c[0] for c in days.values())
    bad = sum(c[1] for c in days.values())
    window = board.policy.window.days
    steps: list[Step] = []
    for d in sorted(days):
        g, b = days[d]
        good, bad = good - g, bad - b
        if not b:
            continue
        value = Fraction(good, good + bad) if good + bad else None
        meets = value is not None and row.spec.holds(value, row.threshold)
        steps.append(Step(d + timedelta(days=window), b, g, value, meets))
        if meets or len(steps) >= STEPS:
            break
    return steps

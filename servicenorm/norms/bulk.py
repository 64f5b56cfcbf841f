"""Many sellers' statuses at once (the operator's overview of a marketplace of 47,000 sellers):
each norm's status as `Reading.status` gives it, without a page row per seller.

A status depends only on the norm's figure (value and the items behind it) and its threshold,
so each distinct figure is judged once by the registry (`Norm.judge`, the one comparison on
exact fractions) and the many sellers with the same small counts share the answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from servicenorm.norms.model import Counted, Entry, Norm, Status, worst
from servicenorm.norms.registry import norms_for
from servicenorm.policy import Policy


class Judge:
    """The statuses of one policy's norms for report entries, as of one ISO week (a weekly
    norm shows the current week: with no late question that week it is judged at zero)."""

    def __init__(self, policy: Policy, week: str) -> None:
        self.policy = policy
        self.week = week
        self.norms: list[Norm] = norms_for(policy)
        self.in_score: dict[str, bool] = {n.slug: n.counts_in_score(policy) for n in self.norms}
        self._memo: dict[tuple[Any, ...], Status] = {}

    def status(self, n: Norm, entry: Entry) -> Status | None:
        """`n`'s status for `entry`, as the seller's page row has it; None: no such row."""
        detail = self.week if n.weekly else ""
        counted = n.figure(entry, detail)
        if counted is None:
            if not n.weekly:
                return None
            counted = Counted(Fraction(0))
        threshold = n.threshold(self.policy, entry)
        return self.judged(n, counted, threshold)

    def judged(self, n: Norm, counted: Counted, threshold: Fraction | None) -> Status:
        key = (n.slug, counted.value, counted.good, counted.bad, threshold)
        got = self._memo.get(key)
        if got is None:
            got = self._memo[key] = n.judge(counted, threshold, self.policy).status
        return got

    def statuses(self, entry: Entry, skip: str | None = None) -> list[tuple[str, Status]]:
        """(slug, status) of every norm the entry has a row for, in the registry's order."""
        out: list[tuple[str, Status]] = []
        for n in self.norms:
            if n.slug == skip:
                continue
            st = self.status(n, entry)
            if st is not None:
                out.append((n.slug, st))
        return out

    def overall(self, statuses: Iterable[tuple[str, Status]]) -> Status:
        """The worst status among the norms in the score."""
        return worst(st for slug, st in statuses if self.in_score.get(slug, False))

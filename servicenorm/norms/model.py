"""What a norm is: a figure of the metric report held against a threshold of the policy.

A `Norm` is data plus one `evaluate()` (the shape of polar's organization_review thresholds):
every reader (findings, the performance score, the pages, badges, enforcement evidence,
simulation) asks the norm, so two readers cannot disagree about the same figure.

Comparisons are exact: values are `Fraction`s built from the report's integer counts, and
thresholds are the policy's decimals read as decimals (0.9 is nine tenths, not the binary
float just below it). A value exactly at the threshold is decided by the comparison alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from servicenorm.norms.evidence import Selector
from servicenorm.policy import Policy
from servicenorm.policy.schema import BadgeSpec

# What meeting the norm requires of the value.
Comparison = Literal["at_least", "at_most", "below"]
# How a finding's stored comparison reads (value relative to threshold when the norm is missed).
MISSED: dict[Comparison, str] = {"at_least": "below", "at_most": "above", "below": "at_least"}
Kind = Literal["rate", "count", "ratio", "average"]
Status = Literal["meets", "at_risk", "below", "no_data"]
STATUS_ORDER: dict[Status, int] = {"below": 0, "at_risk": 1, "meets": 2, "no_data": 3}
Entry = Mapping[str, Any]  # one seller's object of the `evaluate` JSON report


def worst(statuses: Iterable[Status]) -> Status:
    """The most severe status ("no_data" of none)."""
    return min(statuses, key=STATUS_ORDER.__getitem__, default="no_data")


def decimal(v: float | int | str) -> Fraction:
    """A policy or report decimal as the exact decimal it was written as."""
    return Fraction(str(v))


@dataclass(frozen=True)
class Risk:
    """When a norm that is met is "at risk": something an operator would act on.

    With at least `min_items` items behind the figure (3 calls or 2 reviews are never at risk:
    one item moves them too far to mean anything), a met norm is at risk when the next bad item
    (a late answer, a missed call, a one-star review, a late question this week) would take it
    below, or when it is within `margin` of the headroom, the distance from the threshold to
    the best value the figure can have: with a quarter, a 90 % norm is at risk below 92.5 %,
    an alert at 10 late questions from 8, a 4.8 average below 4.85. Open items that still have
    time are not a risk: most of them will be answered in time."""

    margin: Fraction
    min_items: int
    best: Fraction  # the best value the figure can take
    worst: Fraction = Fraction(0)  # the value of one bad item (a one-star review: 1)

    def applies(self, r: Reading) -> bool:
        if r.met is not True or r.value is None or r.threshold is None:
            return False
        kind = r.norm.kind
        items = r.good + r.bad if kind == "rate" else r.good
        if kind != "count" and items < self.min_items:
            return False
        if kind == "rate":
            after = Fraction(r.good, r.good + r.bad + 1)
        elif kind == "average":
            after = (r.value * r.good + self.worst) / (r.good + 1)
        else:
            after = r.value + 1
        if not r.norm.holds(after, r.threshold):
            return True
        if r.norm.comparison == "at_least":
            distance, headroom = r.value - r.threshold, self.best - r.threshold
        else:
            distance, headroom = r.threshold - r.value, r.threshold - self.best
        return distance < self.margin * headroom


@dataclass(frozen=True)
class Counted:
    """A norm's figure for one seller: the exact value and the items behind it."""

    value: Fraction | None
    good: int = 0
    bad: int = 0
    pending: int = 0
    of: tuple[int, int] | None = None  # numerator, denominator as shown: "(350/389)"


@dataclass(frozen=True)
class Reading:
    """One norm evaluated for one seller (and one ISO week for weekly norms)."""

    norm: Norm
    value: Fraction | None
    threshold: Fraction | None
    met: bool | None  # None: no figure or no threshold yet
    in_score: bool
    good: int = 0
    bad: int = 0
    pending: int = 0
    of: tuple[int, int] | None = None
    detail: str = ""  # the ISO week of a weekly norm

    @property
    def slug(self) -> str:
        return self.norm.slug

    @property
    def missed(self) -> bool:
        return self.met is False

    @property
    def status(self) -> Status:
        """below (a finding), at risk (the norm's `Risk`), meets, or no data yet."""
        if self.met is None:
            return "no_data"
        if self.met is False:
            return "below"
        risk = self.norm.risk
        return "at_risk" if risk is not None and risk.applies(self) else "meets"


@dataclass(frozen=True)
class Norm:
    slug: str
    names: Mapping[str, str]  # language -> display name ({within}: the allowance, {week})
    metric: str  # the report entry it reads, and the `explain` metric of its items
    kind: Kind
    comparison: Comparison
    figure: Callable[[Entry, str], Counted | None]  # (entry, detail) -> figure; None: not shown
    threshold: Callable[[Policy, Entry], Fraction | None]
    applies: Callable[[Policy], bool]
    counts_in_score: Callable[[Policy], bool]
    evidence: Selector
    reason: str  # English one-line reason: {value}, {threshold}, {of}, {week}
    weekly: bool = False  # one reading per ISO week of the report (detail = the week)
    dated_plan: bool = False  # "what you need" as dates on which late items leave the window
    risk: Risk | None = None  # None: never at risk (a norm outside the score, say)
    # the report figures a statement of reasons quotes: (fact name, key in the metric's entry)
    facts: tuple[tuple[str, str], ...] = ()
    # a badge criterion on this norm's figure: (criterion name, the badge's threshold)
    badge: tuple[str, Callable[[BadgeSpec], float]] | None = None
    digits: int = 1  # display digits: of a percentage for rates, of the number otherwise

    def name(self, language: str, **values: object) -> str:
        text = self.names.get(language) or self.names["en"]
        return text.format(**values) if values else text

    def holds(self, value: Fraction, threshold: Fraction) -> bool:
        """The comparison, the one place it is written."""
        if self.comparison == "at_least":
            return value >= threshold
        if self.comparison == "at_most":
            return value <= threshold
        return value < threshold

    def judge(self, counted: Counted, threshold: Fraction | None, policy: Policy | None) -> Reading:
        met = (
            None
            if counted.value is None or threshold is None
            else self.holds(counted.value, threshold)
        )
        return Reading(
            self,
            counted.value,
            threshold,
            met,
            self.counts_in_score(policy) if policy is not None else True,
            counted.good,
            counted.bad,
            counted.pending,
            counted.of,
        )

    def evaluate(self, policy: Policy, entry: Entry, detail: str = "") -> Reading | None:
        """This norm for one seller's report entry; None where the seller has no such figure
        (no phone line) or the policy has no such norm."""
        if not self.applies(policy):
            return None
        counted = self.figure(entry, detail)
        if counted is None:
            return None
        r = self.judge(counted, self.threshold(policy, entry), policy)
        return r if not detail else _with_detail(r, detail)

    def readings(self, policy: Policy, entry: Entry) -> list[Reading]:
        """Every reading of the entry: one, or one per ISO week of the window."""
        if not self.weekly:
            one = self.evaluate(policy, entry)
            return [] if one is None else [one]
        weeks = sorted(entry.get(self.metric) or {})
        return [r for w in weeks if (r := self.evaluate(policy, entry, w)) is not None]


def _with_detail(r: Reading, detail: str) -> Reading:
    from dataclasses import replace

    return replace(r, detail=detail)

"""The enforcement state machine: pure rules over one value per seller, returning what to do.

A seller's `SellerState` is its ladder position, the restrictions that are active (in force,
or a termination still in its notice period) and its badge. `ladder_round` takes the states
of the sellers an evaluation reaches (and of their linked shops), the evaluation's findings
and the shops' links, and returns the new states and the decisions: actions to start
(ladder steps, their extension to linked shops, a termination's effective date after its
notice period) and restrictions to lift. `badge_round` does the same for a badge evaluation.

`apply` reads the states from the store, persists the decisions and stores the states;
`simulate` keeps the states in memory. Both call these functions and nothing else decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from servicenorm.enforce import badge_rules
from servicenorm.enforce.kinds import RESTRICTIONS
from servicenorm.enforce.ladder import LadderState, PlannedStep, climb, contacted, escalating
from servicenorm.metrics.findings import Finding
from servicenorm.policy import Policy

TERMINATION = "suspend_permanently"
EXCEPTION_GROUNDS = ("legal_obligation", "imperative_reason", "repeated_infringement")


@dataclass(frozen=True)
class Restriction:
    """An active restriction: in force from `start`, or waiting for it (a termination in its
    notice period); `stated` is when it was decided and its statement given."""

    key: str
    kind: str
    origin: str
    stated: datetime
    start: datetime
    end: datetime | None
    parent: str | None = None  # the key of the restriction a linked shop's one follows

    def in_force(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)

    def pending(self, at: datetime) -> bool:
        return at < self.start


@dataclass(frozen=True)
class SellerState:
    ladder: LadderState = field(default_factory=LadderState)
    restrictions: tuple[Restriction, ...] = ()
    badge: badge_rules.BadgeState = field(default_factory=badge_rules.BadgeState)
    decided: tuple[str, ...] = ()  # keys of the restrictions decided before (earlier decisions)


@dataclass(frozen=True)
class NoticeException:
    """P2B Art. 4(4): a termination without the 30 days' notice, and the evidence for it."""

    ground: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Start:
    seller: str
    key: str
    kind: str
    origin: str  # ladder, new_shop, linked
    stated: datetime
    start: datetime
    end: datetime | None
    findings: tuple[Finding, ...] = ()
    parent: str | None = None
    linked_from: str | None = None
    step: PlannedStep | None = None
    exception: NoticeException | None = None

    @property
    def origin_seller(self) -> str:
        return self.linked_from or self.seller

    @property
    def restricts(self) -> bool:
        return self.kind in RESTRICTIONS


@dataclass(frozen=True)
class Lift:
    seller: str
    key: str
    kind: str
    at: datetime
    reason: str
    follows: str | None = None  # lifted because the restriction with this key was
    cause: str = ""  # the seller whose evaluation or lifting decided it

    @property
    def origin_seller(self) -> str:
        return self.cause or self.seller


Decision = Start | Lift


@dataclass(frozen=True)
class Round:
    states: dict[str, SellerState]
    decisions: tuple[Decision, ...] = ()
    stale: tuple[str, ...] = ()

    def of(self, seller: str) -> list[Decision]:
        return [d for d in self.decisions if d.seller == seller]


def contact(st: SellerState, at: datetime) -> SellerState:
    """An operator contacted the seller at `at` (the workbench's "contact the seller"): the
    ladder counts it as the contact a `requires_contact` step waits for."""
    return replace(st, ladder=contacted(st.ladder, at))


def prune(st: SellerState, at: datetime) -> SellerState:
    """Drop the restrictions whose end has passed (they expired)."""
    live = tuple(r for r in st.restrictions if r.end is None or r.end > at)
    return st if len(live) == len(st.restrictions) else replace(st, restrictions=live)


def effective(
    policy: Policy, kind: str, stated: datetime, exception: NoticeException | None
) -> datetime:
    """When a decision takes effect: a termination after the policy's notice period (P2B
    Art. 4(2)) unless an Art. 4(4) exception is recorded; everything else at once."""
    if kind != TERMINATION or exception is not None or policy.decisions is None:
        return stated
    return stated + timedelta(days=policy.decisions.notice_days)


def _exception(step: PlannedStep, st: SellerState, policy: Policy) -> NoticeException | None:
    assert policy.ladder is not None
    ground = policy.ladder.steps[step.level].notice_exception
    if step.action != TERMINATION or ground is None:
        return None
    if ground == "repeated_infringement":
        # the evidence is the earlier decisions; without any, the notice period applies
        return NoticeException(ground, st.decided) if st.decided else None
    return NoticeException(ground, (f"policy {policy.name}: ladder step {step.level + 1}",))


def _end(start: datetime, step: PlannedStep) -> datetime | None:
    if step.end is None:
        return None
    return start + (step.end - step.start)


def ladder_round(
    policy: Policy,
    states: Mapping[str, SellerState],
    found: Mapping[str, Sequence[Finding]],
    sellers: Iterable[str],
    as_of: datetime,
    links: Mapping[str, frozenset[str]],
) -> Round:
    """One ladder evaluation of `sellers` at `as_of` (see the module doc)."""
    assert policy.ladder is not None
    ladder = policy.ladder
    out: dict[str, SellerState] = {k: prune(v, as_of) for k, v in states.items()}
    decisions: list[Decision] = []
    stale: list[str] = []

    def get(seller: str) -> SellerState:
        return out.get(seller) or SellerState()

    def add(seller: str, r: Restriction) -> None:
        st = get(seller)
        out[seller] = replace(st, restrictions=(*st.restrictions, r), decided=(*st.decided, r.key))

    for seller in sorted(sellers):
        mine = list(found.get(seller, ()))
        st = get(seller)
        new_shop = next((f for f in mine if f.norm == "new_shop_complaints"), None)
        c = climb(ladder, st.ladder, mine, as_of, new_shop)
        if c.stale:
            stale.append(seller)
            continue
        out[seller] = replace(st, ladder=c.state)
        for step in c.steps:
            key = f"{policy.name}:{seller}:ladder:{step.key}"
            if step.action not in RESTRICTIONS:
                decisions.append(
                    Start(seller, key, step.action, step.origin, as_of, as_of, None,
                          step.findings, step=step)
                )  # fmt: skip
                continue
            exc = _exception(step, get(seller), policy)
            start = effective(policy, step.action, as_of, exc)
            end = _end(start, step)
            decisions.append(
                Start(seller, key, step.action, step.origin, as_of, start, end, step.findings,
                      step=step, exception=exc)
            )  # fmt: skip
            add(seller, Restriction(key, step.action, step.origin, as_of, start, end))
            if step.action in ladder.extend_to_linked:
                for other in sorted(links.get(seller, frozenset())):
                    ck = f"{key}:linked:{other}"
                    decisions.append(
                        Start(other, ck, step.action, "linked", as_of, start, end, step.findings,
                              parent=key, linked_from=seller, exception=exc)
                    )  # fmt: skip
                    add(other, Restriction(ck, step.action, "linked", as_of, start, end, key))
        met = ladder.lift_when_met and not escalating(mine, ladder) and new_shop is None
        if c.lift or (met and any(r.pending(as_of) for r in get_restrictions(out, seller))):
            lifted = _lift_met(out, seller, as_of)
            decisions += lifted
            pos = out[seller].ladder
            if any(d.kind == TERMINATION and d.seller == seller for d in lifted) and pos.level > 0:
                # the cancelled termination is no longer the last step taken
                out[seller] = replace(out[seller], ladder=replace(pos, level=pos.level - 1))
    return Round(out, tuple(decisions), tuple(stale))


def _lift_met(out: dict[str, SellerState], seller: str, as_of: datetime) -> list[Decision]:
    """The seller meets the norms again: lift the ladder's open-ended restrictions (a
    termination still in its notice period is cancelled), with what they extended to
    linked shops."""
    reason = f"meets the norms again at the evaluation of {as_of.date().isoformat()}"
    decisions: list[Decision] = []
    for r in get_restrictions(out, seller):
        if r.origin != "ladder" or r.end is not None or r.stated >= as_of:
            continue
        if r.kind == TERMINATION and not r.pending(as_of):
            continue  # a termination in effect is lifted only by an operator
        decisions += lift(out, seller, r.key, as_of, reason)
    return decisions


def get_restrictions(states: Mapping[str, SellerState], seller: str) -> tuple[Restriction, ...]:
    st = states.get(seller)
    return st.restrictions if st is not None else ()


def lift(
    states: dict[str, SellerState], seller: str, key: str, at: datetime, reason: str
) -> list[Decision]:
    """Lift (or, during its notice period, cancel) one restriction and those that follow it
    on linked shops; changes `states` in place and returns the decisions."""
    r = next((x for x in get_restrictions(states, seller) if x.key == key), None)
    if r is None:
        return []
    out: list[Decision] = [Lift(seller, key, r.kind, at, reason)]
    states[seller] = replace(
        states[seller], restrictions=tuple(x for x in states[seller].restrictions if x.key != key)
    )
    for other, st in list(states.items()):
        for child in st.restrictions:
            if child.parent == key:
                out.append(
                    Lift(
                        other,
                        child.key,
                        child.kind,
                        at,
                        f"linked shop {seller}: {reason}",
                        key,
                        seller,
                    )
                )
        states[other] = replace(
            states[other],
            restrictions=tuple(x for x in states[other].restrictions if x.parent != key),
        )
    return out


def blockers(
    restrictions: Iterable[Restriction], at: datetime, unpaid_bill: bool
) -> badge_rules.Blockers:
    """What keeps a badge away at `at`: an overdue bill, a restriction in force (and until
    when, if every one of them has an end)."""
    live = [r for r in restrictions if r.in_force(at)]
    ends = [r.end for r in live]
    until = max(e for e in ends if e is not None) if live and None not in ends else None
    return badge_rules.Blockers(unpaid_bill, bool(live), until)


@dataclass(frozen=True)
class BadgeRound:
    states: dict[str, SellerState]
    transitions: dict[str, badge_rules.Transition] = field(default_factory=dict)


def badge_round(
    policy: Policy,
    states: Mapping[str, SellerState],
    rep: Mapping[str, Any],
    sales: Mapping[str, Decimal],
    overdue: set[str],
    as_of: datetime,
) -> BadgeRound:
    """The periodic badge evaluation over a report of the badge's window."""
    assert policy.badge is not None
    out = dict(states)
    transitions: dict[str, badge_rules.Transition] = {}
    for seller, m in sorted(rep["sellers"].items()):
        st = prune(out.get(seller) or SellerState(), as_of)
        check = badge_rules.check_criteria(m, sales.get(seller, Decimal(0)), policy.badge)
        blk = blockers(st.restrictions, as_of, seller in overdue)
        t = badge_rules.evaluate(st.badge, check, blk, as_of)
        transitions[seller] = t
        if not t.stale:
            out[seller] = replace(st, badge=t.state)
    return BadgeRound(out, transitions)

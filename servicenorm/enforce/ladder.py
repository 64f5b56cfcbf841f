"""The escalation ladder as a pure function (SPEC R4.2-R4.4).

Given where a seller stands, the findings of one evaluation and its as-of, `climb` says which
steps to take now. Rules:

* An evaluation at or before the last one applied changes nothing: running the same
  evaluation twice never acts twice, and an old evaluation never overrides a newer one.
* With escalating findings the seller takes the next step when its grace (`after_days` since
  the previous step) has passed; consecutive steps without grace are taken together (e-mail
  and education at once). A step that `requires_contact` waits until the seller was contacted
  (notify/educate, or an operator's own e-mail: `contacted`) before this evaluation: "still
  not meeting expectations after we contacted you".
* The new-shop rule jumps straight to its action (seed 000: new shops with many complaints).
* Without escalating findings the seller meets the norms: open-ended restrictions are lifted
  (`lift_when_met`), and after `reset_after_days` clean days a new cycle starts at step one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from servicenorm.enforce.kinds import CONTACT_ACTIONS
from servicenorm.metrics.findings import Finding
from servicenorm.policy.schema import Ladder, LadderStep


@dataclass(frozen=True)
class LadderState:
    level: int = -1
    cycle: int = 0
    last_step_at: datetime | None = None
    contacted_at: datetime | None = None
    last_finding_at: datetime | None = None
    evaluated_as_of: datetime | None = None


@dataclass(frozen=True)
class PlannedStep:
    level: int
    cycle: int
    action: str
    start: datetime
    end: datetime | None
    origin: str  # ladder or new_shop
    findings: tuple[Finding, ...]

    @property
    def key(self) -> str:
        return f"c{self.cycle}:s{self.level}:{self.action}"


@dataclass(frozen=True)
class Climb:
    state: LadderState
    steps: tuple[PlannedStep, ...] = ()
    lift: bool = False  # the seller meets the norms: lift open-ended restrictions
    reset: bool = False
    stale: bool = False  # this evaluation was applied already (or a newer one was)


def contacted(state: LadderState, at: datetime) -> LadderState:
    """The platform wrote to the seller at `at` (an operator's "contact the seller"): a step
    that `requires_contact` may follow from the next evaluation after it, as after a notify or
    educate step. The first contact of a cycle stands; a reset forgets it."""
    if state.contacted_at is not None and state.contacted_at <= at:
        return state
    return replace(state, contacted_at=at)


def escalating(found: list[Finding], ladder: Ladder) -> list[Finding]:
    """The findings that climb the ladder: the ladder's norms, else those counting in the score."""
    if ladder.norms:
        return [f for f in found if f.norm in ladder.norms]
    return [f for f in found if f.in_score]


def _end(step: LadderStep, start: datetime) -> datetime | None:
    if step.action == "suspend_permanently" or step.duration_days is None:
        return None
    return start + timedelta(days=step.duration_days)


def climb(
    ladder: Ladder,
    state: LadderState,
    found: list[Finding],
    as_of: datetime,
    new_shop: Finding | None = None,
) -> Climb:
    if state.evaluated_as_of is not None and as_of <= state.evaluated_as_of:
        return Climb(state, stale=True)
    st = replace(state, evaluated_as_of=as_of)
    steps = ladder.steps
    if st.level >= 0 and steps[st.level].action == "suspend_permanently":
        return Climb(st)  # nothing follows a permanent suspension
    if new_shop is not None:
        target = next(
            (
                i
                for i, s in enumerate(steps)
                if s.action == (ladder.new_shop.action if ladder.new_shop else "")
            ),
            len(steps) - 1,
        )
        if target > st.level:
            step = steps[target]
            st = replace(st, level=target, last_step_at=as_of, last_finding_at=as_of)
            return Climb(
                st,
                (
                    PlannedStep(
                        target,
                        st.cycle,
                        step.action,
                        as_of,
                        _end(step, as_of),
                        "new_shop",
                        (new_shop,),
                    ),
                ),
            )
    esc = escalating(found, ladder)
    if not esc:
        reset = (
            st.level >= 0
            and st.last_finding_at is not None
            and as_of - st.last_finding_at >= timedelta(days=ladder.reset_after_days)
        )
        if reset:
            st = replace(st, level=-1, cycle=st.cycle + 1, last_step_at=None, contacted_at=None)
        return Climb(st, lift=ladder.lift_when_met and state.level >= 0, reset=reset)
    st = replace(st, last_finding_at=as_of)
    taken: list[PlannedStep] = []
    contacted_before = state.contacted_at is not None and state.contacted_at < as_of
    while st.level + 1 < len(steps):
        nxt = steps[st.level + 1]
        if (
            st.level >= 0
            and st.last_step_at is not None
            and as_of < st.last_step_at + timedelta(days=nxt.after_days)
        ):
            break
        if nxt.requires_contact and not contacted_before:
            break
        level = st.level + 1
        taken.append(
            PlannedStep(level, st.cycle, nxt.action, as_of, _end(nxt, as_of), "ladder", tuple(esc))
        )
        st = replace(
            st,
            level=level,
            last_step_at=as_of,
            contacted_at=st.contacted_at or (as_of if nxt.action in CONTACT_ACTIONS else None),
        )
        if nxt.action == "suspend_permanently":
            break
    return Climb(st, tuple(taken))

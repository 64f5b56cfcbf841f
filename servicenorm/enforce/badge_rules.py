"""Badge criteria and the badge's life as pure functions (docs/enforcement.md, Etsy's Star Seller
rules).

Removal reasons: criteria no longer met, an overdue bill, a restricted account, a violation
of the terms, suspected manipulation of the badge's figures. Reinstatement paths:

* permanently excluded -> never;
* overdue bill -> as soon as it is paid (if the last evaluation's criteria held);
* removed for a stated time (90 days, or a restriction with an end) -> at the first
  evaluation after that time;
* restricted without a stated length -> when the account is restored and the other criteria
  hold;
* criteria -> at the next evaluation that meets them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from servicenorm.norms import NORMS, Counted, decimal
from servicenorm.policy.schema import BadgeSpec

Status = Literal["none", "awarded", "removed"]
Event = Literal["awarded", "removed", "reinstated", "excluded", "paused"]


@dataclass(frozen=True)
class BadgeCheck:
    met: bool
    failed: tuple[str, ...]
    figures: dict[str, Any]


def check_criteria(m: dict[str, Any], sales: Decimal, spec: BadgeSpec) -> BadgeCheck:
    """Hold one seller's report entry (over the badge's window) against the criteria."""
    orders = int(m["question_rate"]["orders"])
    figures: dict[str, Any] = {}
    failed: list[str] = []
    for n in NORMS.values():
        if n.badge is None:
            continue
        name, least = n.badge
        # the norm's figure and comparison; only the threshold is the badge programme's
        r = n.judge(n.figure(m, "") or Counted(None), decimal(least(spec)), None)
        figures[name] = None if r.value is None else float(r.value)
        if r.met is None:
            if name not in spec.none_counts_as_met:
                failed.append(name)
        elif not r.met:
            failed.append(name)
    figures.update(orders=orders, sales=str(sales), currency=spec.sales_currency)
    if orders < spec.min_orders:
        failed.append("orders")
    if sales < Decimal(spec.min_sales):
        failed.append("sales")
    return BadgeCheck(not failed, tuple(failed), figures)


@dataclass(frozen=True)
class Blockers:
    unpaid_bill: bool = False
    restricted: bool = False
    restricted_until: datetime | None = None  # None with `restricted`: no stated length


@dataclass(frozen=True)
class BadgeState:
    status: Status = "none"
    reason: str | None = None
    since: datetime | None = None
    pause_until: datetime | None = None
    excluded: bool = False
    last_met: bool = False
    last_check: dict[str, Any] = field(default_factory=dict)
    evaluated_as_of: datetime | None = None


@dataclass(frozen=True)
class Transition:
    state: BadgeState
    event: Event | None = None
    reason: str | None = None  # the removal reason, or the reason that ended (reinstated)
    stale: bool = False


def _removed(
    st: BadgeState, reason: str, at: datetime, until: datetime | None = None
) -> Transition:
    return Transition(
        replace(st, status="removed", reason=reason, since=at, pause_until=until), "removed", reason
    )


def _awarded(st: BadgeState, at: datetime) -> Transition:
    event: Event = "reinstated" if st.status == "removed" else "awarded"
    return Transition(
        replace(st, status="awarded", reason=None, since=at, pause_until=None), event, st.reason
    )


def evaluate(
    state: BadgeState, check: BadgeCheck, blockers: Blockers, as_of: datetime
) -> Transition:
    """The periodic evaluation (monthly for the Star Seller)."""
    if state.evaluated_as_of is not None and as_of <= state.evaluated_as_of:
        return Transition(state, stale=True)
    st = replace(
        state,
        evaluated_as_of=as_of,
        last_met=check.met,
        last_check=dict(check.figures, failed=list(check.failed)),
    )
    if st.excluded:
        return (
            _removed(st, st.reason or "terms_violation", as_of)
            if st.status == "awarded"
            else Transition(st)
        )
    if blockers.unpaid_bill:
        return _removed(st, "unpaid_bill", as_of) if st.status == "awarded" else Transition(st)
    if blockers.restricted:
        if st.status == "awarded":
            return _removed(st, "account_restricted", as_of, blockers.restricted_until)
        return Transition(st)
    if st.pause_until is not None and as_of < st.pause_until:
        return Transition(st)
    if check.met:
        return _awarded(st, as_of) if st.status != "awarded" else Transition(st)
    if st.status == "awarded":
        return _removed(st, "criteria", as_of)
    return Transition(st)


def recheck(state: BadgeState, blockers: Blockers, at: datetime) -> Transition:
    """Between evaluations: remove for a new bill or restriction; reinstate when a bill is paid
    or an open-ended restriction is lifted (the other criteria as of the last evaluation)."""
    if state.excluded:
        return Transition(state)
    if state.status == "awarded":
        if blockers.unpaid_bill:
            return _removed(state, "unpaid_bill", at)
        if blockers.restricted:
            return _removed(state, "account_restricted", at, blockers.restricted_until)
        return Transition(state)
    if (
        state.status != "removed"
        or blockers.unpaid_bill
        or blockers.restricted
        or not state.last_met
    ):
        return Transition(state)
    if state.reason == "unpaid_bill" or (
        state.reason == "account_restricted" and state.pause_until is None
    ):
        return _awarded(state, at)
    return Transition(state)


def remove_for(
    state: BadgeState, reason: str, at: datetime, days: int | None, permanent: bool
) -> Transition:
    """An operator's removal for a violation or suspected manipulation: for `days`, or for good."""
    until = None if permanent or days is None else at + timedelta(days=days)
    st = replace(
        state, excluded=state.excluded or permanent, pause_until=until if not permanent else None
    )
    if state.status == "awarded":
        t = _removed(st, reason, at, until)
        return replace(t, event="removed")
    st = replace(st, reason=reason, since=at if state.status == "removed" else state.since)
    return Transition(st, "excluded" if permanent else "paused", reason)

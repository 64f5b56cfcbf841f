"""Simulate a policy on past data (SPEC R4.1): replay the scheduled evaluations of a period in
memory, for the current preset and for a candidate policy, and list per seller which
findings, actions and badges each would give. Nothing is stored and nobody is told.

The replay follows the real schedule (`schedule.latest_period` for each cadence point in the
period) and the enforcement state machine (`machine.ladder_round`, `machine.badge_round`),
the one `apply` persists: linked shops, notice periods and lifts included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from servicenorm.clock import to_us
from servicenorm.enforce import event_facts, machine
from servicenorm.enforce.evaluation import evaluate_policy
from servicenorm.enforce.schedule import Period, latest_period
from servicenorm.events import EventLog
from servicenorm.metrics.window import Window
from servicenorm.norms import NORMS
from servicenorm.policy import Policy


@dataclass
class Outcome:
    findings: set[str] = field(default_factory=set)
    actions: list[str] = field(default_factory=list)
    badge: str = "-"
    badge_events: list[str] = field(default_factory=list)
    # every decision as (kind, origin, effective date, stated date) and (lifted, kind, date)
    decisions: list[tuple[str, str, str, str]] = field(default_factory=list)


def points(policy: Policy, start: date, end: date, as_of: datetime) -> list[Period]:
    """Every scheduled period whose as-of lies in [start, end) and not after `as_of`, in order."""
    zone = ZoneInfo(policy.zone)
    t = datetime(start.year, start.month, start.day, tzinfo=zone)
    stop = min(as_of, datetime(end.year, end.month, end.day, tzinfo=zone))
    specs: list[tuple[str, int, str]] = [
        (policy.schedule.evaluate_every, policy.window.days, policy.schedule.evaluate_every)
    ]
    if policy.badge is not None:
        specs.append((policy.badge.every, policy.badge.window_days, "badge"))
    seen: dict[tuple[str, str], Period] = {}
    day = t
    while day <= stop + timedelta(days=1):
        for every, days, cadence in specs:
            p = latest_period(every, days, policy.schedule.at, policy.zone, min(day, stop), cadence)
            if t <= p.as_of <= stop:
                seen.setdefault((p.cadence, p.key), p)
        day += timedelta(days=1)
    return sorted(seen.values(), key=lambda p: (p.as_of, p.cadence != "badge"))


def _record(out: dict[str, Outcome], decisions: tuple[machine.Decision, ...]) -> None:
    for d in decisions:
        o = out.setdefault(d.seller, Outcome())
        if isinstance(d, machine.Start):
            o.actions.append(d.kind)
            o.decisions.append(
                (d.kind, d.origin, d.start.date().isoformat(), d.stated.date().isoformat())
            )
        else:
            o.decisions.append(("lifted", d.kind, d.at.date().isoformat(), ""))


def replay(
    log: EventLog, policy: Policy, start: date, end: date, as_of: datetime, engine: str = "duckdb"
) -> dict[str, Outcome]:
    """The scheduled evaluations of [start, end) through the enforcement state machine, its
    state kept in memory (what `apply` keeps in the store)."""
    out: dict[str, Outcome] = {}
    states: dict[str, machine.SellerState] = {}
    for p in points(policy, start, end, as_of):
        rep, found = evaluate_policy(log, policy, p.window_from, p.window_to, p.as_of, engine)
        for seller in rep["sellers"]:
            out.setdefault(seller, Outcome())
        if not p.badges:
            by_seller: dict[str, list[Any]] = {}
            for f in found:
                weekly = f.norm in NORMS and NORMS[f.norm].weekly
                out[f.seller].findings.add(f"{f.norm}:{f.detail}" if weekly else f.norm)
                by_seller.setdefault(f.seller, []).append(f)
            if policy.ladder is None:
                continue
            links = event_facts.linked_shops(log, to_us(p.as_of))
            rnd = machine.ladder_round(policy, states, by_seller, rep["sellers"], p.as_of, links)
            states = rnd.states
            _record(out, rnd.decisions)
            continue
        assert policy.badge is not None
        w = Window(p.window_from, p.window_to, p.as_of, policy.zone)
        sales = event_facts.sales(
            log, w.start_us, w.end_us, to_us(p.as_of), policy.badge.sales_currency
        )
        overdue = event_facts.overdue_sellers(
            event_facts.bills(log, to_us(p.as_of), policy.zone), p.as_of
        )
        b = machine.badge_round(policy, states, rep, sales, overdue, p.as_of)
        states = b.states
        for seller, t in b.transitions.items():
            out[seller].badge = states[seller].badge.status
            if t.event is not None:
                out[seller].badge_events.append(
                    f"{t.event}:{t.reason}" if t.event == "removed" else t.event
                )
            if t.event == "removed":  # a decision with its statement, as `apply` records it
                day = p.as_of.date().isoformat()
                out[seller].decisions.append(("badge_removed", "badge", day, day))
    return out


@dataclass(frozen=True)
class Difference:
    seller: str
    gained_findings: tuple[str, ...]
    lost_findings: tuple[str, ...]
    gained_actions: tuple[str, ...]
    lost_actions: tuple[str, ...]
    badge_now: str
    badge_then: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "seller": self.seller,
            "gains_findings": list(self.gained_findings),
            "loses_findings": list(self.lost_findings),
            "gains_actions": list(self.gained_actions),
            "loses_actions": list(self.lost_actions),
            "badge": {"current": self.badge_now, "candidate": self.badge_then},
        }


def _multiset_minus(a: list[str], b: list[str]) -> tuple[str, ...]:
    rest = list(b)
    out = []
    for x in a:
        if x in rest:
            rest.remove(x)
        else:
            out.append(x)
    return tuple(out)


def differences(current: dict[str, Outcome], candidate: dict[str, Outcome]) -> list[Difference]:
    out = []
    for seller in sorted(set(current) | set(candidate)):
        a, b = current.get(seller, Outcome()), candidate.get(seller, Outcome())
        d = Difference(
            seller,
            tuple(sorted(b.findings - a.findings)),
            tuple(sorted(a.findings - b.findings)),
            _multiset_minus(b.actions, a.actions),
            _multiset_minus(a.actions, b.actions),
            a.badge,
            b.badge,
        )
        if (
            d.gained_findings
            or d.lost_findings
            or d.gained_actions
            or d.lost_actions
            or d.badge_now != d.badge_then
        ):
            out.append(d)
    return out


def simulate(
    log: EventLog,
    current: Policy,
    candidate: Policy,
    start: date,
    end: date,
    as_of: datetime,
    engine: str = "duckdb",
) -> tuple[list[Difference], dict[str, Outcome], dict[str, Outcome]]:
    """Replay both policies on the same events; the candidate is evaluated for the current
    preset's sellers even when the operator renamed the copy."""
    if candidate.name != current.name:
        candidate = candidate.model_copy(update={"name": current.name})
    a = replay(log, current, start, end, as_of, engine)
    b = replay(log, candidate, start, end, as_of, engine)
    return differences(a, b), a, b

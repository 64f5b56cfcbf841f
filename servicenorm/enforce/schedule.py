"""Scheduled evaluations (what `servicenorm serve` runs in its background loop).

`run_due_evaluations(session, now)` does, for every marketplace in the store:

* the periodic evaluations that are due and not yet done: the ladder's (weekly by default, at
  the policy's local time; window = the policy's window ending that day) and the badge's
  (monthly, window = the badge's); each is one `enforce_runs` row, claimed once (unique per
  marketplace, cadence and period), so two servers or a restart never run one twice;
* the continuous work, idempotent on every call: restrictions that reached their end expire,
  announced absences are judged, takeovers are triggered, badges are re-checked (bills paid,
  accounts restored).

Each marketplace's round ends by storing its watermark (`round_marks`): the next round reads
by index which sellers have new events or an open item whose deadline passed since; the
report carries them (`changed`) and the sellers each evaluation handed to the state machine
(`evaluated`: a scheduled evaluation reads every seller's figures from the live store and
acts on those with a finding or a ladder state, `live_period`).

It commits after each unit and records a failing unit on its run row with a later retry,
carrying on with the others. Only the latest due period of each cadence is run:
after a long outage the system evaluates the present, it does not replay the past.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from servicenorm.clock import from_us, to_us
from servicenorm.clock.kernel import first_instant_at_or_after
from servicenorm.enforce import absence, actions, badges, event_facts, round_marks, takeover
from servicenorm.enforce.apply import AppliedResult, apply_evaluation
from servicenorm.enforce.enforce_tables import EvaluationRun
from servicenorm.enforce.evaluation import evaluate_policy
from servicenorm.enforce.live_period import LiveStore, evaluate_live
from servicenorm.enforce.loader import load_log
from servicenorm.enforce.notices import Notifier
from servicenorm.enforce.round_marks import Scope
from servicenorm.notify.backoff import next_attempt
from servicenorm.policy import Policy
from servicenorm.policy.stored import policy_for
from servicenorm.store.ids import new_id
from servicenorm.store.once import insert_once

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Period:
    cadence: str  # day, week, month (the ladder) or badge
    key: str
    as_of: datetime
    window_from: date
    window_to: date

    @property
    def badges(self) -> bool:
        return self.cadence == "badge"


def _at(zone: ZoneInfo, d: date, hhmm: str) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    local = datetime(d.year, d.month, d.day, h, m)  # noqa: DTZ001 (a wall time in `zone`)
    return from_us(first_instant_at_or_after(zone, local), zone)


def _start(every: str, d: date) -> date:
    if every == "week":
        return d - timedelta(days=d.weekday())
    if every == "month":
        return d.replace(day=1)
    return d


def _previous(every: str, d: date) -> date:
    if every == "week":
        return d - timedelta(days=7)
    if every == "month":
        return (d - timedelta(days=1)).replace(day=1)
    return d - timedelta(days=1)


def _key(every: str, d: date) -> str:
    if every == "week":
        y, w, _ = d.isocalendar()
        return f"{y}-W{w:02d}"
    if every == "month":
        return f"{d:%Y-%m}"
    return d.isoformat()


def latest_period(
    every: str, window_days: int, hhmm: str, zone_name: str, now: datetime, cadence: str
) -> Period:
    """The latest period of `every` whose start (its first day at `hhmm` local) is at or
    before now."""
    zone = ZoneInfo(zone_name)
    d = _start(every, now.astimezone(zone).date())
    if _at(zone, d, hhmm) > now:
        d = _previous(every, d)
    return Period(cadence, _key(every, d), _at(zone, d, hhmm), d - timedelta(days=window_days), d)


def due_periods(policy: Policy, now: datetime) -> list[Period]:
    sch = policy.schedule
    out = [
        latest_period(
            sch.evaluate_every, policy.window.days, sch.at, policy.zone, now, sch.evaluate_every
        )
    ]
    if policy.badge is not None:
        out.append(
            latest_period(
                policy.badge.every, policy.badge.window_days, sch.at, policy.zone, now, "badge"
            )
        )
    return out


@dataclass
class TickReport:
    runs: list[tuple[str, str, str, str]] = field(
        default_factory=list
    )  # marketplace, cadence, period, outcome
    applied: list[AppliedResult] = field(default_factory=list)
    # per marketplace: what changed since its last round (round_marks.Scope), and the sellers
    # the round's evaluations handed to the state machine
    changed: dict[str, Scope] = field(default_factory=dict)
    evaluated: dict[str, list[str]] = field(default_factory=dict)
    expired: int = 0
    takeovers: int = 0
    absences: int = 0
    badge_events: int = 0
    errors: list[str] = field(default_factory=list)


def _claim(
    s: Session, market: str, policy_ref: str, p: Period, now: datetime
) -> EvaluationRun | None:
    """Insert the period's run row (or take back a failed one whose retry is due):
    compare-and-set."""
    row = s.scalar(
        select(EvaluationRun).where(
            EvaluationRun.marketplace == market,
            EvaluationRun.cadence == p.cadence,
            EvaluationRun.period == p.key,
        )
    )
    if row is None:
        row = EvaluationRun(
            id=new_id(),
            marketplace=market,
            cadence=p.cadence,
            period=p.key,
            policy=policy_ref,
            as_of=p.as_of,
            window_from=p.window_from.isoformat(),
            window_to=p.window_to.isoformat(),
            state="running",
            attempts=1,
            counts={},
            started_at=now,
            version=1,
        )
        return row if insert_once(s, row) else None
    if row.state != "failed" or (row.next_try_at is not None and row.next_try_at > now):
        return None
    res = s.execute(
        update(EvaluationRun)
        .where(
            EvaluationRun.id == row.id,
            EvaluationRun.version == row.version,
            EvaluationRun.state == "failed",
        )
        .values(
            state="running",
            attempts=EvaluationRun.attempts + 1,
            started_at=now,
            version=EvaluationRun.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:  # type: ignore[attr-defined]
        return None
    s.refresh(row)
    return row


def run_period(
    s: Session,
    market: str,
    policy: Policy,
    p: Period,
    now: datetime,
    engine: str = "duckdb",
    live: LiveStore | None = None,
) -> AppliedResult:
    """Evaluate one period and apply it: a ladder period from the live store for the sellers
    it concerns (`live_period`, with the caller's readers `live`), a badge period, or any period
    without readers, from the store's event log."""
    if p.badges or live is None:
        return run_period_from_log(s, market, policy, p, now, engine)
    ev = evaluate_live(s, live, market, policy, p.window_from, p.window_to, p.as_of, engine)
    res = apply_evaluation(s, ev.report, ev.findings, policy, p.as_of, now=now, log=ev.links)
    res.evaluated = ev.concerned
    return res


def run_period_from_log(
    s: Session, market: str, policy: Policy, p: Period, now: datetime, engine: str = "duckdb"
) -> AppliedResult:
    """The reference: the whole event log through the metric engine, every seller applied."""
    ev_log = load_log(s, market, p.as_of)
    rep, found = evaluate_policy(ev_log, policy, p.window_from, p.window_to, p.as_of, engine)
    res = apply_evaluation(
        s, rep, found, policy, p.as_of, now=now, log=ev_log, badges=p.badges, ladder=not p.badges
    )
    res.evaluated = sorted(rep["sellers"])
    return res


def _continuous(s: Session, market: str, policy: Policy, now: datetime, rep: TickReport) -> None:
    """The idempotent work of every tick, each step in its own savepoint: a step that fails is
    reported and the others still run."""
    n = Notifier(s, policy, now)

    def expire() -> None:
        rep.expired += len(actions.expire_due(s, now))

    def absences() -> None:
        rep.absences += len(absence.process_announcements(n, market, now))

    def takeovers() -> None:
        rep.takeovers += len(takeover.scan(n, market, now))

    def recheck() -> None:
        if policy.badge is not None:
            ev_log = load_log(s, market, now, types=("bill_issued", "bill_paid"))
            bills = event_facts.bills(ev_log, to_us(now), policy.zone)
            rep.badge_events += len(badges.recheck_badges(n, bills, now).events)

    for step in (expire, absences, takeovers, recheck):
        try:
            with s.begin_nested():
                step()
        except Exception as e:  # report, carry on
            log.exception("%s: %s failed", market, step.__name__)
            rep.errors.append(f"{market} {step.__name__}: {e}")


def run_due_evaluations(
    s: Session, now: datetime, *, engine: str = "duckdb", live: LiveStore | None = None
) -> TickReport:
    """Run every due evaluation and the continuous work for every marketplace (see module doc);
    `live`: the live store's readers (the server's, `Container.live_store()`)."""
    from servicenorm.store.tables import Marketplace

    to_us(now)  # refuses a naive now
    report = TickReport()
    markets = [(m.id, m.preset) for m in s.scalars(select(Marketplace).order_by(Marketplace.id))]
    for market, preset in markets:
        try:
            policy = policy_for(preset)
        except ValueError as e:
            report.errors.append(f"{market}: {e}")
            continue
        changed = round_marks.scope(s, market, now)
        report.changed[market] = changed
        report.evaluated[market] = []
        for p in due_periods(policy, now):
            run = _claim(s, market, preset, p, now)
            if run is None:
                continue
            s.commit()  # the claim is visible to other servers before the work starts
            try:
                with s.begin_nested():
                    applied = run_period(s, market, policy, p, now, engine, live)
                run.state, run.finished_at, run.counts, run.last_error = (
                    "done",
                    now,
                    applied.summary(),
                    None,
                )
                report.applied.append(applied)
                report.evaluated[market] += applied.evaluated
                report.runs.append((market, p.cadence, p.key, "done"))
            except Exception as e:  # one bad evaluation never stops the loop
                log.exception("evaluation %s %s %s failed", market, p.cadence, p.key)
                run.state, run.last_error = (
                    "failed",
                    "".join(traceback.format_exception_only(e)).strip(),
                )
                run.next_try_at = next_attempt(now, run.attempts, run.id)
                report.runs.append((market, p.cadence, p.key, "failed"))
                report.errors.append(f"{market} {p.cadence} {p.key}: {run.last_error}")
            s.commit()
        _continuous(s, market, policy, now, report)
        round_marks.advance(s, market, now, changed)
        s.commit()
    return report


def runs(s: Session, market: str | None = None, limit: int = 50) -> list[EvaluationRun]:
    q = select(EvaluationRun)
    if market is not None:
        q = q.where(EvaluationRun.marketplace == market)
    return list(
        s.scalars(q.order_by(EvaluationRun.as_of.desc(), EvaluationRun.cadence).limit(limit))
    )


__all__ = [
    "Period",
    "TickReport",
    "due_periods",
    "latest_period",
    "run_due_evaluations",
    "run_period",
    "run_period_from_log",
    "runs",
]

"""Apply one evaluation: findings -> stored findings, e-mails, ladder steps, badges (SPEC R4.2).

`apply_evaluation` is the one entry point for the scheduler (`run_due_evaluations`), the
`servicenorm enforce apply` command and `servicenorm evaluate --apply`. It only adds to the
session (the caller commits). Applying the same evaluation twice changes nothing: findings,
actions, e-mails and banners have keys derived from their cause, ladder positions and badges
remember the as-of they were last evaluated at, and every change is a compare-and-set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.clock import parse_instant, to_us
from servicenorm.enforce import event_facts, machine
from servicenorm.enforce.actions import lift_action, start_action
from servicenorm.enforce.badges import evaluate_badges
from servicenorm.enforce.enforce_tables import Action, FindingRow
from servicenorm.enforce.holistic import extra_findings
from servicenorm.enforce.kinds import SYSTEM
from servicenorm.enforce.ladder_store import advance, load_states, position
from servicenorm.enforce.machine import Lift, Start
from servicenorm.enforce.notices import Notifier, finding_dict
from servicenorm.enforce.statements import statement_for, statement_of
from servicenorm.events import EventLog
from servicenorm.metrics.findings import Finding
from servicenorm.metrics.window import Window as MWindow
from servicenorm.notify.banners import clear_banners
from servicenorm.policy import Policy
from servicenorm.store.ids import new_id
from servicenorm.store.once import insert_once


@dataclass
class AppliedResult:
    policy: str
    as_of: datetime
    findings: int = 0  # findings stored for the first time
    actions: list[str] = field(default_factory=list)  # ids of actions started
    lifted: list[str] = field(default_factory=list)  # ids of restrictions lifted
    emails: int = 0
    banners: int = 0
    badge_events: list[tuple[str, str, str | None]] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # sellers this evaluation had reached already
    evaluated: list[str] = field(default_factory=list)  # the sellers given to the machine

    @property
    def changed(self) -> bool:
        return bool(
            self.findings
            or self.actions
            or self.lifted
            or self.emails
            or self.banners
            or self.badge_events
        )

    def summary(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "as_of": self.as_of.isoformat(),
            "findings": self.findings,
            "actions": len(self.actions),
            "lifted": len(self.lifted),
            "emails": self.emails,
            "banners": self.banners,
            "badge_events": len(self.badge_events),
        }


def all_findings(rep: dict[str, Any], found: list[Finding], policy: Policy) -> list[Finding]:
    """The caller's findings plus the holistic and new-shop ones, each once."""
    out: dict[str, Finding] = {}
    for f in [*found, *extra_findings(rep, policy)]:
        out.setdefault(f.key, f)
    return list(out.values())


def _store_findings(
    s: Session, found: list[Finding], policy: Policy, as_of: datetime, now: datetime
) -> int:
    new = 0
    for f in found:
        key = f"{policy.name}|{f.key}"
        if s.scalar(select(FindingRow.id).where(FindingRow.key == key)) is not None:
            continue
        row = FindingRow(
            id=new_id(),
            key=key,
            policy=policy.name,
            seller_id=f.seller,
            norm=f.norm,
            value=float(f.value),
            threshold=float(f.threshold),
            comparison=f.comparison,
            window_from=f.window[0],
            window_to=f.window[1],
            detail=f.detail,
            in_score=f.in_score,
            evidence=list(f.evidence),
            at=as_of,
            recorded_at=now,
        )
        new += insert_once(s, row)
    return new


def _hours(policy: Policy) -> str:
    return f"{policy.response.allowance.total_seconds() / 3600:g}"


def _mail_findings(n: Notifier, rep: dict[str, Any], found: list[Finding], as_of: datetime) -> None:
    """bol (seed 003): an e-mail per ISO week with >= 10 late questions, and an e-mail when the
    question rate is above the personal dynamic norm (not part of the score)."""
    policy = n.policy
    edu = policy.ladder.education if policy.ladder else {}
    for f in found:
        m = rep["sellers"].get(f.seller, {})
        if f.norm == "weekly_late":
            ctx = {
                "week": f.detail,
                "late": int(f.value),
                "threshold": int(f.threshold),
                "within": _hours(policy),
                "rate": m.get("first_response", {}).get("rate"),
                "target": policy.response.target,
                "window_from": f.window[0],
                "window_to": f.window[1],
                "topics": edu.get("weekly_late", []),
            }
            n.mail(f"weekly_late:{f.seller}:{f.detail}", f.seller, "weekly_late", as_of, ctx)
            n.banner(
                f"weekly_late:{f.seller}:{f.detail}",
                f.seller,
                "weekly_late",
                as_of,
                # when it was counted: the card on the page shows the week's count now
                {
                    "week": f.detail,
                    "late": int(f.value),
                    "as_of": as_of.astimezone(ZoneInfo(policy.zone)).isoformat(),
                },
                end=as_of + timedelta(days=7),
            )
        elif f.norm == "question_rate":
            q = m.get("question_rate", {})
            ctx = {
                "rate": f.value,
                "norm": q.get("norm", f.threshold),
                "orders": q.get("orders", 0),
                "questions": q.get("questions", 0),
                "window_from": f.window[0],
                "window_to": f.window[1],
                "topics": edu.get("question_rate", []),
            }
            n.mail(f"question_rate:{f.seller}:{f.window[1]}", f.seller, "question_rate", as_of, ctx)
            n.banner(
                f"question_rate:{f.seller}:{f.window[1]}",
                f.seller,
                "question_rate",
                as_of,
                {
                    "rate": f.value,
                    "norm": ctx["norm"],
                    # the window the figure is of (its last day included), beside the card's
                    "window_from": f.window[0],
                    "window_last": (
                        date.fromisoformat(f.window[1]) - timedelta(days=1)
                    ).isoformat(),
                },
                level="info",
                end=as_of + timedelta(days=7),
            )


def _reason(findings: tuple[Finding, ...]) -> str:
    return "; ".join(
        f.describe()
        if f.norm not in ("holistic", "new_shop_complaints")
        else (
            f"customer-service score {f.value:.2f} at or above {f.threshold:.2f}"
            if f.norm == "holistic"
            else f"{int(f.value)} cases on a new shop ({f.detail})"
        )
        for f in findings
    )


def _persist_start(
    n: Notifier, res: AppliedResult, d: Start, window: tuple[str, str], rep: dict[str, Any]
) -> None:
    policy, s = n.policy, n.s
    assert policy.ladder is not None
    parent_id = None
    if d.parent is not None:
        parent_id = s.scalar(select(Action.id).where(Action.key == d.parent))
        if parent_id is None:
            return  # the shop's own restriction was not started (a second run)
    linked = d.linked_from is not None
    row = start_action(
        s,
        key=d.key,
        seller_id=d.seller,
        policy=policy.name,
        kind=d.kind,
        origin=d.origin,
        reason=f"linked shop {d.linked_from}: {_reason(d.findings)}"
        if linked
        else _reason(d.findings),
        reason_code="linked_shop" if linked else "new_shop" if d.origin == "new_shop" else "norms",
        start=d.start,
        end=d.end,
        actor=SYSTEM,
        now=n.now,
        findings=[] if linked else [f"{policy.name}|{f.key}" for f in d.findings],
        parent_id=parent_id,
        stated=d.stated,
        exception=d.exception,
    )
    if row is None:
        return
    res.actions.append(row.id)
    step_key = d.step.key if d.step is not None else d.key
    figures = [finding_dict(f.norm, f.value, f.threshold, f.detail) for f in d.findings]
    base = {"window_from": window[0], "window_to": window[1], "findings": figures}
    if d.kind == "notify":
        n.mail(f"ladder:{d.seller}:{step_key}", d.seller, "notify", d.start, base)
        n.banner(
            f"notify:{d.seller}:{step_key}",
            d.seller,
            "notify",
            d.start,
            {"norms": ", ".join(sorted({f.norm for f in d.findings}))},
        )
        return
    if d.kind == "educate":
        topics: list[str] = []
        for f in d.findings:
            topics += [t for t in policy.ladder.education.get(f.norm, []) if t not in topics]
        n.mail(f"ladder:{d.seller}:{step_key}", d.seller, "educate", d.start, {"topics": topics})
        return
    statement_for(n, row, d.findings, rep)
    if linked:
        restriction_notice(n, row, {"findings": [], "linked_from": d.linked_from})
    else:
        restriction_notice(n, row, base)


def restriction_notice(n: Notifier, row: Action, extra: Mapping[str, Any]) -> None:
    note = (
        row.reason if row.origin == "operator" else None
    )  # an operator's own words; ladder reasons are figures
    ctx = {
        "kind": row.kind,
        "reason_code": row.reason_code,
        "note": note,
        "start": row.start_at.isoformat(),
        "end": row.end_at.isoformat() if row.end_at else None,
        "linked_from": None,
        "findings": [],
        **extra,
    }
    # One e-mail per decision: where a statement of reasons was queued for it, that e-mail is
    # the notice (it states the measure, its start and end, the facts and the redress); a
    # second "restriction started" e-mail said the same again. Without one (a policy with no
    # [decisions] section), this e-mail tells the seller.
    if statement_of(n.s, row.id) is None:
        n.mail(f"action:{row.key}", row.seller_id, "restriction_started", row.start_at, ctx)
    n.banner(
        f"action:{row.key}",
        row.seller_id,
        "restriction_started",
        row.start_at,
        {"kind": row.kind, "start": ctx["start"], "end": ctx["end"]},
        level="danger",
        end=row.end_at,
    )


def _persist_lift(n: Notifier, res: AppliedResult, d: Lift) -> None:
    """Lift a restriction the machine decided to lift; a linked shop's follows its shop's
    (lifted by `lift_action` together), and is counted here."""
    s = n.s
    row = s.scalar(select(Action).where(Action.key == d.key))
    if row is None:
        return
    if d.follows is None:
        if row.state != "active":
            return
        lift_action(s, row.id, at=d.at, by=SYSTEM, reason=d.reason, now=n.now)
    elif row.lifted_at != d.at:
        return
    res.lifted.append(row.id)
    n.mail(
        f"lifted:{row.key}",
        row.seller_id,
        "restriction_lifted",
        d.at,
        {"kind": row.kind, "lift_reason": d.reason},
    )
    clear_banners(s, row.seller_id, f"{n.policy.name}:action:{row.key}", d.at)
    if d.follows is None:
        clear_banners(s, row.seller_id, f"{n.policy.name}:notify:{row.seller_id}:", d.at)


def _links(
    s: Session, log: EventLog | None, as_of: datetime, sellers: list[str]
) -> dict[str, frozenset[str]]:
    if log is not None:
        return event_facts.linked_shops(log, to_us(as_of))
    from servicenorm.store.tables import Seller

    rows = s.scalars(select(Seller).where(Seller.id.in_(sellers))).all()
    return event_facts.link_groups({r.id: list(r.linked_sellers or []) for r in rows})


def apply_evaluation(
    s: Session,
    rep: dict[str, Any],
    found: list[Finding],
    policy: Policy,
    as_of: datetime,
    *,
    now: datetime | None = None,
    log: EventLog | None = None,
    badges: bool = False,
    ladder: bool = True,
    countries: Mapping[str, str] | None = None,
) -> AppliedResult:
    """Turn one evaluation's findings into stored findings, e-mails and ladder steps (`ladder`)
    and, with `badges`, the badge evaluation (then `rep` must cover the badge's window and `log`
    give the sales and bills). `now` is the wall-clock time of recording (default: as-of)."""
    now = now or as_of
    if parse_instant(rep["as_of"], "as_of") != as_of:
        raise ValueError(f"the report is as of {rep['as_of']}, not {as_of.isoformat()}")
    window = (rep["window"]["from"], rep["window"]["to"])
    res = AppliedResult(policy.name, as_of)
    n = Notifier(s, policy, now, countries)
    found = all_findings(rep, found, policy)
    sellers = sorted(rep["sellers"])
    if ladder:
        res.findings = _store_findings(s, found, policy, as_of, now)
        _mail_findings(n, rep, found, as_of)
    if ladder and policy.ladder is not None:
        links = _links(s, log, as_of, sellers)
        by_seller: dict[str, list[Finding]] = {}
        for f in found:
            by_seller.setdefault(f.seller, []).append(f)
        involved = sorted({*sellers, *(o for x in sellers for o in links.get(x, ()))})
        positions = {x: position(s, x, policy.name) for x in sellers}
        states = load_states(s, policy.name, involved, positions)
        rnd = machine.ladder_round(policy, states, by_seller, sellers, as_of, links)
        moved = set()
        for seller in sellers:
            if seller in rnd.stale or not advance(s, positions[seller], rnd.states[seller].ladder):
                res.stale.append(seller)
            else:
                moved.add(seller)
        for d in rnd.decisions:
            if d.origin_seller not in moved:
                continue
            if isinstance(d, Start):
                _persist_start(n, res, d, window, rep)
            else:
                _persist_lift(n, res, d)
    if badges:
        if policy.badge is None:
            raise ValueError(f"preset {policy.name} has no badge")
        if log is None:
            raise ValueError("a badge evaluation needs the event log (sales and bills)")
        w = MWindow(
            date.fromisoformat(window[0]), date.fromisoformat(window[1]), as_of, policy.zone
        )
        sales = event_facts.sales(
            log, w.start_us, w.end_us, to_us(as_of), policy.badge.sales_currency
        )
        bills = event_facts.bills(log, to_us(as_of), policy.zone)
        overdue = event_facts.overdue_sellers(bills, as_of)
        res.badge_events = evaluate_badges(n, rep, sales, overdue, as_of, bills).events
    res.emails, res.banners = n.emails, n.banners
    return res

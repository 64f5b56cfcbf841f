"""A scheduled (ladder) evaluation read from the live store, acting only on the sellers it
concerns.

The reference (`evaluate_policy`) replays the marketplace's whole event log through a metric
engine and hands every seller to the state machine. Here:

* the figures of every seller of the marketplace are the performance API's
  (`helpdesk.tally.seller_metrics`, passed in as `LiveStore.figures`: aggregates per seller and
  day, open items, set-based), the same numbers `evaluate` gives
  (tests/helpdesk/test_live_parity.py);
* the findings are the norm registry's on those figures;
* the evidence of a finding (the ids of the items behind it) is read from the live items
  with the norm's evidence selector (`helpdesk.evidence_rows`, the pages' drill-down);
* the metric engine runs only on the events of the few sellers the figures cannot rule out
  where the policy has a holistic score or a new-shop rule (cases, tenure and order surges
  are read from their events);
* the state machine (`apply_evaluation`) sees the sellers with a finding and the sellers with
  a ladder position above the first rung or an active restriction. Any other seller has
  nothing to decide: without findings the ladder only records the as-of, and lifting or
  resetting needs a position or a restriction (`ladder.climb`, `machine.ladder_round`).

The decisions equal the reference's (tests/enforce/test_quarter.py evaluates the week after
the quarter both ways); the badge evaluation (sales and bills for every seller) and a caller
without the live store's readers keep the reference path (`schedule.run_period_from_log`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from servicenorm.clock import from_us
from servicenorm.enforce.apply import all_findings
from servicenorm.enforce.enforce_tables import Action, LadderPosition
from servicenorm.enforce.evaluation import finding_evidence
from servicenorm.enforce.kinds import RESTRICTIONS
from servicenorm.enforce.loader import load_log
from servicenorm.engines import make_engine
from servicenorm.events import EventLog
from servicenorm.metrics import Window, prepare, report
from servicenorm.metrics.findings import Finding, findings
from servicenorm.norms import NORMS
from servicenorm.policy import Policy
from servicenorm.store.events import EventRow
from servicenorm.store.items import QuestionItem
from servicenorm.store.keylists import parts
from servicenorm.store.tenancy import Seller

EXTENDED = ("cases", "tenure_days", "surge", "shipping_flags")


class Figures(Protocol):
    """The sellers' figures of a window from the live store (`helpdesk.tally.seller_metrics`):
    per seller, the per-seller object of the `evaluate --format json` contract."""

    def __call__(
        self, conn: Connection, policy: Policy, sellers: Sequence[str], window: Window
    ) -> dict[str, dict[str, Any]]: ...


class ItemRows(Protocol):
    """Sellers' item rows of a metric in a window from the live items
    (`helpdesk.evidence_rows.rows_of`), per seller (given with its country), with the keys of
    the metric's item query."""

    def __call__(
        self,
        conn: Connection,
        policy: Policy,
        sellers: dict[str, str],
        metric: str,
        window: Window,
    ) -> dict[str, list[dict[str, Any]]]: ...


@dataclass(frozen=True)
class LiveStore:
    """The helpdesk's readers of the live store, passed in by the caller (enforcement does not
    import the helpdesk: the composition root, `Container.live_store`, joins them)."""

    figures: Figures
    items: ItemRows


@dataclass(frozen=True)
class LiveEvaluation:
    """What the state machine is given: the report of the sellers concerned, their findings
    (with evidence), the log of the registrations (linked shops) when the ladder extends to
    them; and how many sellers were read and replayed."""

    report: dict[str, Any]
    findings: list[Finding]
    links: EventLog | None
    read: int  # sellers whose figures were read from the live store
    replayed: list[str]  # sellers whose events went through the metric engine (cases, surge)

    @property
    def concerned(self) -> list[str]:
        return sorted(self.report["sellers"])


def _registered(s: Session, market: str, as_of: datetime) -> dict[str, datetime]:
    return dict(
        s.execute(
            select(Seller.id, Seller.registered_at).where(
                Seller.marketplace_id == market, Seller.registered_at <= as_of
            )
        ).all()
    )


def _holistic_possible(m: dict[str, Any], policy: Policy) -> bool:
    """Whether the seller's holistic score could reach the threshold whatever its cases and
    surge (read from events) turn out to be: an upper bound from the figures alone."""
    spec = policy.holistic
    if spec is None or int(m["question_rate"]["orders"]) < spec.min_orders:
        return False
    fr, sh, rv = m["first_response"]["rate"], m["shipping"]["rate_on_time"], m["reviews"]["average"]
    known = {
        "late_shipping": 0.0 if sh is None else 1.0 - float(sh),
        "unanswered": 0.0 if fr is None else 1.0 - float(fr),
        "low_reviews": 0.0 if rv is None else max(0.0, (5.0 - float(rv)) / 4.0),
    }
    bound = sum(
        w * known[k] if k in known else max(w, 0.0)  # cases per order and surge: at most 1
        for k, w in spec.weights.items()
    )
    return bound * max(1.0, spec.established_factor) >= spec.threshold


def _state_holders(s: Session, policy: str, sellers: list[str]) -> set[str]:
    """Sellers with something the ladder can lift or reset: a position above the first rung,
    or an active restriction."""
    on_ladder = set(
        s.scalars(
            select(LadderPosition.seller_id).where(
                LadderPosition.policy == policy, LadderPosition.level >= 0
            )
        )
    )
    restricted = set(
        s.scalars(
            select(Action.seller_id).where(
                Action.policy == policy, Action.kind.in_(RESTRICTIONS), Action.state == "active"
            )
        )
    )
    known = set(sellers)
    return (on_ladder | restricted) & known


def _linked(s: Session, policy: Policy) -> bool:
    """Whether the machine needs the linked shops: the ladder extends steps to them, or a
    restriction extended before is still active (lifting it lifts its followers)."""
    if policy.ladder is None:
        return False
    if policy.ladder.extend_to_linked:
        return True
    q = select(Action.id).where(
        Action.policy == policy.name, Action.origin == "linked", Action.state == "active"
    )
    return s.scalar(q.limit(1)) is not None


def live_evidence(
    s: Session, live: LiveStore, policy: Policy, window: Window, found: list[Finding]
) -> list[Finding]:
    """Each registry norm's finding with the ids of the items behind it, read from the live
    store's items (`helpdesk.evidence_rows`, the pages' drill-down) with the norm's evidence
    selector, as `evaluation.with_evidence` reads them from the metric engine."""
    conn = s.connection()
    weeks = {w[0]: (w[1], w[2]) for w in window.iso_weeks()}
    todo = [f for f in found if f.norm in NORMS and not f.evidence]
    wanted = sorted({f.seller for f in todo})
    countries = (
        dict(s.execute(select(Seller.id, Seller.country).where(Seller.id.in_(wanted))).all())
        if wanted
        else {}
    )
    by_metric: dict[str, set[str]] = {}
    for f in todo:
        by_metric.setdefault(NORMS[f.norm].evidence.metric, set()).add(f.seller)
    items = {
        metric: live.items(conn, policy, {x: countries[x] for x in sorted(sellers)}, metric, window)
        for metric, sellers in by_metric.items()
    }
    chosen: list[list[str] | None] = []
    for f in found:
        n = NORMS.get(f.norm)
        if n is None or f.evidence:
            chosen.append(None)
            continue
        chosen.append(finding_evidence(f, items[n.evidence.metric][f.seller], weeks))
    names: dict[str, dict[str, str]] = {
        metric: _event_ids(
            s,
            metric,
            sorted(
                {
                    x
                    for f, ids in zip(found, chosen, strict=True)
                    if ids and NORMS[f.norm].evidence.metric == metric
                    for x in ids
                }
            ),
        )
        for metric in by_metric
    }
    return [
        f
        if ids is None
        else replace(f, evidence=tuple(names[NORMS[f.norm].evidence.metric].get(x, x) for x in ids))
        for f, ids in zip(found, chosen, strict=True)
    ]


def _event_ids(s: Session, metric: str, ids: list[str]) -> dict[str, str]:
    """How `evaluate` names each item: a question by its `question_opened` event, a call or a
    review by its event, each event by the id it was sent with (the store keeps it under a key
    scoped to its marketplace); an order by its id (not in the map)."""
    if not ids or metric not in ("first_response", "phone", "reviews"):
        return {}
    keys = {x: x for x in ids}
    if metric == "first_response":
        q = select(QuestionItem.conversation_id, QuestionItem.message_id)
        for part in parts(ids):
            keys.update(s.execute(q.where(QuestionItem.conversation_id.in_(part))).all())
    sent: dict[str, str] = {}
    for part in parts(sorted(set(keys.values()))):
        events = select(EventRow.id, EventRow.payload).where(EventRow.id.in_(part))
        for key, payload in s.execute(events).all():
            sent[key] = str(payload.get("id", key))
    return {x: sent.get(k, k) for x, k in keys.items()}


def evaluate_live(
    s: Session,
    live: LiveStore,
    market: str,
    policy: Policy,
    start: date,
    end: date,
    as_of: datetime,
    engine: str = "duckdb",
) -> LiveEvaluation:
    """The evaluation of [start, end) as of `as_of` for the sellers it concerns (module doc)."""
    window = Window(start, end, as_of, policy.zone)
    registered = _registered(s, market, as_of)
    sellers = sorted(registered)
    metrics = live.figures(s.connection(), policy, sellers, window)
    rep: dict[str, Any] = {
        "preset": policy.name,
        "as_of": from_us(window.as_of_us).isoformat(),
        "window": {"from": start.isoformat(), "to": end.isoformat()},
        "sellers": metrics,
    }
    found = findings(rep, policy)
    extended: set[str] = set()
    rule = policy.ladder.new_shop if policy.ladder else None
    if policy.holistic is not None or rule is not None:
        young = (
            as_of - timedelta(days=rule.max_tenure_days + 1) if rule is not None else None
        )  # a day's margin: tenure counts whole days from the registration event
        extended = {
            x
            for x, m in metrics.items()
            if _holistic_possible(m, policy) or (young is not None and registered[x] > young)
        }
    replay = sorted(extended)
    if replay:
        log = load_log(s, market, as_of, sellers=replay)
        full = report(prepare(log, policy, window, make_engine(engine)), extended=True)
        for x in extended:
            got = full["sellers"].get(x)
            if got is not None:
                metrics[x] = {**metrics[x], **{k: got[k] for k in EXTENDED if k in got}}
    found = live_evidence(s, live, policy, window, all_findings(rep, found, policy))
    concerned = {f.seller for f in found} | _state_holders(s, policy.name, sellers)
    links = load_log(s, market, as_of, types=("seller_registered",)) if _linked(s, policy) else None
    out = {**rep, "sellers": {x: metrics[x] for x in sorted(concerned)}}
    return LiveEvaluation(out, found, links, len(sellers), replay)

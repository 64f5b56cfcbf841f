"""One evaluation as data: the extended report, its findings, and the evidence behind each
finding (the ids of the late questions, missed calls, late orders, low reviews)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from servicenorm.enforce.apply import all_findings
from servicenorm.engines import make_engine
from servicenorm.events import EventLog
from servicenorm.metrics import REGISTRY, Run, Window, prepare, report
from servicenorm.metrics.findings import Finding, findings
from servicenorm.norms import NORMS
from servicenorm.norms.evidence import evidence_rows, item_id
from servicenorm.policy import Policy

EVIDENCE_CAP = 200  # ids kept per finding; the metric's item list has them all
Weeks = dict[str, tuple[int, int]]  # ISO week -> [start, end) in microseconds


def finding_evidence(f: Finding, items: list[dict[str, Any]], weeks: Weeks) -> list[str]:
    """The ids of the items behind a registry norm's finding, from its metric's item rows
    (the metric engine's or the live store's): the norm's evidence selector, the finding's
    week for a weekly norm, oldest first (by the selector's instant, then the item key) and
    at most EVIDENCE_CAP, so which ids are kept does not depend on the order rows come in."""
    n = NORMS[f.norm]
    sel = n.evidence
    week = weeks.get(f.detail) if n.weekly else None
    rows = evidence_rows(sel, items, f.seller, week)
    at = sel.at
    rows.sort(key=lambda r: (int(r.get(at) or 0) if at else 0, str(r["item"])))
    return [item_id(r) for r in rows][:EVIDENCE_CAP]


def with_evidence(run: Run, found: list[Finding]) -> list[Finding]:
    """Each registry norm's finding with the ids of the items behind it (the norm's evidence
    selector); holistic and new-shop findings pass unchanged."""
    items: dict[str, list[dict[str, Any]]] = {}
    weeks = {w[0]: (w[1], w[2]) for w in run.frame.window.iso_weeks()}
    out = []
    for f in found:
        n = NORMS.get(f.norm)
        if n is None or f.evidence:
            out.append(f)
            continue
        metric = n.evidence.metric
        if metric not in items:
            m = REGISTRY[metric]
            items[metric] = (
                run.items(m) if m.items is not None and m.applies(run.frame.policy) else []
            )
        out.append(replace(f, evidence=tuple(finding_evidence(f, items[metric], weeks))))
    return out


def evaluate_policy(
    log: EventLog, policy: Policy, start: date, end: date, as_of: datetime, engine: str = "duckdb"
) -> tuple[dict[str, Any], list[Finding]]:
    """The extended report of [start, end) as of `as_of`, and every finding with its evidence."""
    run = prepare(log, policy, Window(start, end, as_of, policy.zone), make_engine(engine))
    rep = report(run, extended=True)
    return rep, with_evidence(run, all_findings(rep, findings(rep, policy), policy))

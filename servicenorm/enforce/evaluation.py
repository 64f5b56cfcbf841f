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
from servicenorm.policy import Policy

EVIDENCE_CAP = 200  # ids kept per finding; the metric's item list has them all

# norm -> (metric whose items are the evidence, which items count against the seller)
_EVIDENCE: dict[str, tuple[str, str]] = {
    "first_response": ("first_response", "late"),
    "message_response": ("message_response", "late"),
    "weekly_late": ("first_response", "late"),
    "phone": ("phone", "missed"),
    "shipping_on_time": ("shipping", "late"),
    "shipping_on_time_with_tracking": ("shipping", "late_or_untracked"),
    "reviews": ("reviews", "low"),
    "question_rate": ("question_rate", "asked"),
}


def _against(kind: str, r: dict[str, Any]) -> bool:
    if kind == "late":
        return r.get("status") == "late"
    if kind == "missed":
        return r.get("status") == "missed"
    if kind == "late_or_untracked":
        return r.get("status") == "late" or (
            r.get("status") == "on_time" and not r.get("has_tracking")
        )
    if kind == "low":
        return int(r.get("rating") or 5) <= 3
    if kind == "asked":
        return int(r.get("questions") or 0) > 0
    return False


def with_evidence(run: Run, found: list[Finding]) -> list[Finding]:
    items: dict[str, list[dict[str, Any]]] = {}
    weeks = {w[0]: (w[1], w[2]) for w in run.frame.window.iso_weeks()}
    out = []
    for f in found:
        spec = _EVIDENCE.get(f.norm)
        if spec is None or f.evidence:
            out.append(f)
            continue
        slug, kind = spec
        if slug not in items:
            m = REGISTRY[slug]
            items[slug] = (
                run.items(m) if m.items is not None and m.applies(run.frame.policy) else []
            )
        rows = [r for r in items[slug] if r["seller"] == f.seller and _against(kind, r)]
        if f.norm == "weekly_late" and f.detail in weeks:
            lo, hi = weeks[f.detail]
            rows = [r for r in rows if lo <= int(r["received"]) < hi]
        ids = [str(r.get("event_id") or r["item"]) for r in rows][:EVIDENCE_CAP]
        out.append(replace(f, evidence=tuple(ids)))
    return out


def evaluate_policy(
    log: EventLog, policy: Policy, start: date, end: date, as_of: datetime, engine: str = "duckdb"
) -> tuple[dict[str, Any], list[Finding]]:
    """The extended report of [start, end) as of `as_of`, and every finding with its evidence."""
    run = prepare(log, policy, Window(start, end, as_of, policy.zone), make_engine(engine))
    rep = report(run, extended=True)
    return rep, with_evidence(run, all_findings(rep, findings(rep, policy), policy))

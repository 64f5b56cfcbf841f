"""Statements of reasons (P2B Art. 4(1), 4(5); DSA Art. 17): one for every decision that
restricts a seller, created in the same transaction as the decision, stored, and sent through
the outbox (a durable medium) in the seller's language.

Contents: the measure (kind, territorial scope, start, end or "until lifted", a termination's
notice period); the specific facts (the norm, the seller's value and the threshold, the
window, the count, dates and ids of the items behind it); the contractual ground (the
policy's clause for the reason, the terms URL) and why the facts meet it; whether automated
means detected and decided it; the redress (complaint until when, out-of-court bodies).

A statement without a specific fact is refused (`StatementRefused`): the decision's
transaction fails and nothing is sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.access.errors import Invalid
from servicenorm.enforce.enforce_tables import Action, Statement
from servicenorm.enforce.kinds import RESTRICTIONS
from servicenorm.enforce.notices import Notifier
from servicenorm.metrics.findings import Finding
from servicenorm.norms import NORMS
from servicenorm.notify.templates import render_text
from servicenorm.policy import Policy
from servicenorm.store.ids import new_id

IDS_SHOWN = 20  # item ids listed per fact; the count says how many there are


class StatementRefused(Invalid):
    """A restricting decision whose statement would state no specific fact."""


# The report figures that explain a finding without item lists (the holistic score, a new
# shop's cases): the seller's own counts and shares, never a person's data.
_FIGURES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "holistic": (
        ("orders", "question_rate", "orders"),
        ("shipped_on_time", "shipping", "rate_on_time"),
        ("first_replies_on_time", "first_response", "rate"),
        ("cases", "cases", "cases"),
        ("cases_per_order", "cases", "per_order"),
        ("average_rating", "reviews", "average"),
    ),
    "new_shop_complaints": (
        ("orders", "question_rate", "orders"),
        ("cases", "cases", "cases"),
        ("cases_per_order", "cases", "per_order"),
    ),
}


def _figures(norm: str, entry: Mapping[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    n = NORMS.get(norm)
    quoted = _FIGURES.get(norm, ()) if n is None else tuple((a, n.metric, b) for a, b in n.facts)
    for name, metric, key in quoted:
        v = ((entry or {}).get(metric) or {}).get(key)
        if v is not None:
            out[name] = round(float(v), 4) if isinstance(v, float) else v
    if norm == "new_shop_complaints" and entry is not None and "tenure_days" in entry:
        out["tenure_days"] = int(entry["tenure_days"])
    return out


def evidence_facts(
    s: Session, found: Sequence[Finding], report: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """The facts of a decision from the evidence behind its findings: per finding the norm,
    value, threshold and window, the items behind it (count, first and last date, ids: event
    ids, never a buyer's), and the report's figures where the norm has no item list.

    The one place facts are selected; the items are the norm registry's evidence selector
    (`servicenorm.enforce.evaluation.with_evidence`), the figures quoted its `facts`."""
    from servicenorm.store.tables import EventRow

    sellers = (report or {}).get("sellers", {})
    out: list[dict[str, Any]] = []
    for f in found:
        ids = list(f.evidence)
        first = last = None
        if ids:
            ats = sorted(
                at for at in s.scalars(select(EventRow.at).where(EventRow.id.in_(ids[:1000])))
            )
            if ats:
                first, last = ats[0].date().isoformat(), ats[-1].date().isoformat()
        count = len(ids)
        weekly = f.norm in NORMS and NORMS[f.norm].weekly
        if not ids and (weekly or f.norm == "new_shop_complaints"):
            count = int(f.value)
        out.append(
            {
                "norm": f.norm,
                "value": f.value,
                "threshold": f.threshold,
                "comparison": f.comparison,
                "window_from": f.window[0],
                "window_to": f.window[1],
                "detail": f.detail,
                "count": count,
                "first": first,
                "last": last,
                "ids": ids[:IDS_SHOWN],
                "figures": _figures(f.norm, sellers.get(f.seller)),
            }
        )
    return out


def note_facts(note: str, evidence: Sequence[str]) -> list[dict[str, Any]]:
    """An operator's decision: the facts the operator states and the evidence it names."""
    return [{"text": note.strip(), "ids": [e.strip() for e in evidence if e.strip()]}]


def specific(fact: Mapping[str, Any]) -> bool:
    """A fact is specific when it gives the seller's own figure against a threshold with the
    items or figures behind it, or (an operator's) names its evidence."""
    if "norm" in fact:
        return bool(fact.get("count") or fact.get("ids") or fact.get("figures"))
    return bool(str(fact.get("text", "")).strip()) and bool(fact.get("ids"))


def automation(row: Action) -> tuple[bool, str]:
    """(automated detection, automated decision: fully / partially / not)."""
    if row.created_by == "system":
        return True, "fully"
    if row.origin == "linked" or row.reason_code in ("norms", "new_shop"):
        return True, "partially"  # a person applied what the figures found
    return False, "not"


def _fact_line(p: Policy, locale: str, f: Mapping[str, Any]) -> str:
    assert p.decisions is not None
    texts = p.decisions.texts[locale]  # type: ignore[index]
    if "norm" not in f:
        return render_text(
            locale, texts.fact_note, {"text": f["text"], "ids": ", ".join(f.get("ids", []))}
        )
    figures = ", ".join(f"{k} {v}" for k, v in f.get("figures", {}).items())
    return render_text(
        locale,
        texts.fact,
        {**f, "ids": ", ".join(f.get("ids", [])), "figures": figures},
    )


def compose(
    policy: Policy, row: Action, facts: list[dict[str, Any]], locale: str, linked_from: str | None
) -> tuple[dict[str, Any], str, str]:
    """The statement's data, subject and text (pure)."""
    d = policy.decisions
    if d is None:
        raise Invalid(f"preset {policy.name} has no [decisions] section", "policy")
    if not facts or not any(specific(f) for f in facts):
        raise StatementRefused(
            f"no statement of reasons without a specific fact: {row.kind} of {row.seller_id} "
            f"({row.reason_code}) names no figure, item or evidence",
            "facts",
        )
    stated = row.stated_at or row.start_at
    detection, decision = automation(row)
    until = stated + timedelta(days=d.complaint_window_days)
    scope = list(d.territorial_scope)
    clause = d.clauses.get(row.reason_code, d.clauses.get("operator", ""))  # type: ignore[call-overload]
    notice_days = (row.start_at - stated).days if row.start_at > stated else 0
    data: dict[str, Any] = {
        "action_id": row.id,
        "marketplace": policy.title,
        "locale": locale,
        "stated_at": stated.isoformat(),
        "measure": {
            "kind": row.kind,
            "territorial_scope": scope,
            "start": row.start_at.isoformat(),
            "end": row.end_at.isoformat() if row.end_at else None,
            "until_lifted": row.end_at is None and row.kind in RESTRICTIONS,
            "notice_days": notice_days,
            "notice_exception": row.notice_exception,
        },
        "facts": facts,
        "ground": {
            "reason_code": row.reason_code,
            "clause": clause,
            "terms_url": d.terms_url,
            "linked_from": linked_from,
        },
        "automated": {"detection": detection, "decision": decision},
        "redress": {
            "complaint_until": until.isoformat(),
            "complaint_path": f"/enforcement/actions/{row.id}/complaints",
            "out_of_court": list(d.out_of_court),
        },
    }
    t = d.texts[locale]  # type: ignore[index]
    zone = ZoneInfo(policy.zone)  # the seller reads the marketplace's local times
    ctx = {
        "kind": row.kind,
        "marketplace": policy.title,
        "scope": ", ".join(scope),
        "start": row.start_at.astimezone(zone).isoformat(),
        "end": row.end_at.astimezone(zone).isoformat() if row.end_at else None,
        "days": notice_days,
        "clause": clause,
        "terms_url": d.terms_url,
        "reason_code": row.reason_code,
        "linked_from": linked_from or "",
        "detection": detection,
        "decision": decision,
        "until": until.astimezone(zone).isoformat(),
        "complaint_path": data["redress"]["complaint_path"],
        "bodies": "; ".join(d.out_of_court),
    }
    parts = [render_text(locale, t.intro, ctx), render_text(locale, t.measure, ctx)]
    if row.end_at is None and row.kind in RESTRICTIONS:
        parts.append(render_text(locale, t.until_lifted, ctx))
    if notice_days:
        parts.append(render_text(locale, t.notice, ctx))
    parts += [
        "",
        render_text(locale, t.facts, ctx),
        *(_fact_line(policy, locale, f) for f in facts),
        "",
        render_text(locale, t.ground, ctx),
        render_text(locale, t.why, ctx),
        render_text(locale, t.automated, ctx),
        "",
        render_text(locale, t.redress, ctx),
    ]
    subject = " ".join(render_text(locale, t.subject, ctx).split())
    return data, subject, "\n".join(parts).strip() + "\n"


def issue(
    n: Notifier, row: Action, facts: list[dict[str, Any]], linked_from: str | None = None
) -> Statement:
    """Store the statement of `row` and queue it in the seller's language (same session and
    transaction as the decision; the caller commits both or neither)."""
    existing = n.s.scalar(select(Statement).where(Statement.action_id == row.id))
    if existing is not None:
        return existing
    _, locale = n.locale_of(row.seller_id)
    data, subject, body = compose(n.policy, row, facts, locale, linked_from)
    data["subject"], data["text"] = subject, body
    assert n.policy.decisions is not None
    st = Statement(
        id=new_id(),
        action_id=row.id,
        seller_id=row.seller_id,
        policy=n.policy.name,
        kind=row.kind,
        reason_code=row.reason_code,
        locale=locale,
        stated_at=row.stated_at or row.start_at,
        start_at=row.start_at,
        end_at=row.end_at,
        complaint_until=datetime.fromisoformat(data["redress"]["complaint_until"]),
        automated_detection=data["automated"]["detection"],
        automated_decision=data["automated"]["decision"],
        dsa=n.policy.decisions.in_dsa_scope(row.kind, row.reason_code),
        content=data,
        recorded_at=n.now,
    )
    n.s.add(st)
    n.s.flush()
    n.mail(
        f"statement:{row.key}",
        row.seller_id,
        "statement_of_reasons",
        st.stated_at,
        {"subject": subject, "body": body, "action_id": row.id},
    )
    return st


def statement_for(
    n: Notifier, row: Action, found: Sequence[Finding], report: Mapping[str, Any] | None
) -> Statement | None:
    """The statement of a ladder decision (or its extension to a linked shop)."""
    if n.policy.decisions is None:
        return None
    linked = None
    if row.origin == "linked" and found:
        linked = found[0].seller
    return issue(n, row, evidence_facts(n.s, found, report), linked)


def statement_of(s: Session, action_id: str) -> Statement | None:
    return s.scalar(select(Statement).where(Statement.action_id == action_id))

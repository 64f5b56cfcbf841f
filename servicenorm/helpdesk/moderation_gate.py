"""The one call site where an outgoing seller/staff/agent message meets the message policy
(docs/moderation.md): `moderate_outgoing`, on top of `servicenorm.moderation` (moderate + decide).

Block -> the API answers 422 with the spans; mask -> the buyer sees the masked text and the
original is kept for audit; record -> delivered as written, with a violation row. Every
failed check is a violation row whatever the action (R3.10 counts them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from servicenorm.moderation import decide, moderate
from servicenorm.policy import Policy


@dataclass(frozen=True)
class Verdict:
    action: Literal["deliver", "block", "mask"]
    text: str
    violations: list[dict[str, Any]] = field(default_factory=list)


def moderate_outgoing(text: str, policy: Policy, market: str) -> Verdict:
    """Judge a message a seller, staff member or agent sends to a buyer in `market` (country)."""
    rules = policy.moderation
    result = moderate(text, market, languages=rules.languages or None)
    decision = decide(result, rules, text)
    violations: list[dict[str, Any]] = []
    for kind in decision.violations:
        v: dict[str, Any] = {"kind": kind}
        if kind == "contact":
            v["spans"] = [s.to_json() for s in result.spans]
        elif kind == "language":
            v["language"] = result.language
        violations.append(v)
    if decision.action == "block":
        return Verdict("block", text, violations)
    if decision.action == "mask":
        return Verdict("mask", str(decision.delivered_text), violations)
    return Verdict("deliver", text, violations)

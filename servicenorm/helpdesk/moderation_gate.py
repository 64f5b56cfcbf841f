"""Where a message meets the message policy (docs/moderation.md): `moderate_outgoing` for a
seller's, staff member's or agent's message, on top of `servicenorm.moderation` (moderate +
decide); `moderate_incoming` for a buyer's, whose contact details the policy's `buyer_contact`
masks or only records (a buyer's message is never blocked).

Block -> the API answers 422 with the spans; mask -> the buyer sees the masked text and the
original is kept for audit; record -> delivered as written, with a violation row. Every
failed check is a violation row whatever the action (R3.10 counts them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from servicenorm.moderation import decide, mask, moderate
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


def moderate_incoming(text: str, policy: Policy, market: str) -> Verdict:
    """Judge a buyer's message to a seller in `market`: only its contact details count, and
    the policy's `buyer_contact` says whether they are masked or delivered and recorded."""
    rule = policy.moderation.buyer_contact
    if rule == "off":
        return Verdict("deliver", text)
    result = moderate(text, market, languages=policy.moderation.languages or None)
    if not result.contact:
        return Verdict("deliver", text)
    violations: list[dict[str, Any]] = [
        {"kind": "contact", "author": "buyer", "spans": [s.to_json() for s in result.spans]}
    ]
    if rule == "mask":
        return Verdict("mask", mask(text, list(result.spans)), violations)
    return Verdict("deliver", text, violations)

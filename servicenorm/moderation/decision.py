"""The policy step (docs/moderation.md "on detection the policy decides", issue item 5): a preset's
`[moderation]` actions applied to one message's checks. The helpdesk send path calls
`decide` on every message; violations feed the metrics (R3.10)."""

from __future__ import annotations

from servicenorm.moderation.markets import accepted_languages
from servicenorm.moderation.result import Decision, ModerationResult, Span
from servicenorm.policy.schema import ModerationSpec

CONTACT_MASK = "[contact details removed]"
ABUSE_MASK = "[removed]"
_SEVERITY = {"deliver": 0, "mask": 1, "block": 2}


def decide(result: ModerationResult, rules: ModerationSpec, text: str) -> Decision:
    """Block, mask or deliver `text` given its checks and the preset's rules.

    Every failed check is a violation, whatever its action ("record" delivers and records);
    the strictest action wins. The language verdict is re-read against `rules.languages`
    when the preset overrides the market's languages."""
    violations: list[str] = []
    action = "deliver"
    masked: list[Span] = []
    shown: list[Span] = []

    def violate(check: str, rule: str, spans: list[Span]) -> None:
        nonlocal action
        violations.append(check)
        shown.extend(spans)
        step = {"block": "block", "mask": "mask"}.get(rule, "deliver")
        if step == "mask":
            masked.extend(spans)
        if _SEVERITY[step] > _SEVERITY[action]:
            action = step

    if result.contact:
        violate("contact", rules.contact, result.spans)
    if rules.language != "off" and not _language_ok(result, rules):
        violate("language", rules.language, [])
    if result.abusive:
        violate("abusive", rules.abusive, result.abusive_spans)

    if action == "block":
        return Decision("block", None, violations, shown)
    if action == "mask":
        return Decision("mask", mask(text, masked), violations, shown)
    return Decision("deliver", text, violations, shown)


def _language_ok(result: ModerationResult, rules: ModerationSpec) -> bool:
    if result.language is None:
        return True
    if rules.languages and result.market:
        return result.language in accepted_languages(result.market, rules.languages)
    return result.language_ok


def mask(text: str, spans: list[Span]) -> str:
    """`text` with each span replaced (overlapping spans merge into one replacement)."""
    out: list[str] = []
    at = 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.end <= at:
            continue
        start = max(span.start, at)
        out.append(text[at:start])
        if start == span.start:
            out.append(ABUSE_MASK if span.kind == "abusive" else CONTACT_MASK)
        at = span.end
    out.append(text[at:])
    return "".join(out)

"""Findings beyond single thresholds, from the extended report (pure):

* `holistic` (docs/enforcement.md, Etsy's standards): shipping, messages, cases, reviews and order
surges weighed
  together with the policy's weights; established shops weigh lighter.
* `new_shop_complaints` (R4.4): a shop younger than the rule's tenure with many cases.
"""

from __future__ import annotations

from typing import Any

from servicenorm.metrics.findings import Finding
from servicenorm.policy import Policy


def holistic_score(m: dict[str, Any], policy: Policy) -> float | None:
    """The weighted score of one seller's report entry, or None without enough orders."""
    spec = policy.holistic
    if spec is None or "cases" not in m:
        return None
    orders = int(m["question_rate"]["orders"])
    if orders < spec.min_orders:
        return None
    fr, sh, rv = m["first_response"]["rate"], m["shipping"]["rate_on_time"], m["reviews"]["average"]
    indicators = {
        "late_shipping": 0.0 if sh is None else 1.0 - float(sh),
        "unanswered": 0.0 if fr is None else 1.0 - float(fr),
        "cases_per_order": min(1.0, float(m["cases"]["per_order"] or 0.0)),
        "low_reviews": 0.0 if rv is None else max(0.0, (5.0 - float(rv)) / 4.0),
        "surge": 1.0 if m.get("surge", {}).get("surge") else 0.0,
    }
    score = sum(w * indicators[k] for k, w in spec.weights.items())
    if int(m.get("tenure_days", 0)) >= spec.established_after_days:
        score *= spec.established_factor
    return round(score, 4)


def extra_findings(rep: dict[str, Any], policy: Policy) -> list[Finding]:
    """Holistic and new-shop findings of an extended report (empty for a plain report)."""
    window = (rep["window"]["from"], rep["window"]["to"])
    out: list[Finding] = []
    rule = policy.ladder.new_shop if policy.ladder else None
    for seller, m in sorted(rep["sellers"].items()):
        score = holistic_score(m, policy)
        if score is not None and policy.holistic is not None and score >= policy.holistic.threshold:
            out.append(
                Finding(
                    seller,
                    "holistic",
                    score,
                    policy.holistic.threshold,
                    "at_least",
                    window,
                    rep["as_of"],
                )
            )
        if rule is not None and "cases" in m and int(m["tenure_days"]) < rule.max_tenure_days:
            cases = int(m["cases"]["cases"])
            rate = m["cases"]["per_order"]
            if cases >= rule.min_cases and (rate is None or float(rate) >= rule.min_case_rate):
                out.append(
                    Finding(
                        seller,
                        "new_shop_complaints",
                        cases,
                        rule.min_cases,
                        "at_least",
                        window,
                        rep["as_of"],
                        detail=f"tenure {m['tenure_days']} days",
                    )
                )
    return out

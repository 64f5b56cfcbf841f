"""Statements of reasons as DSA Transparency Database objects (DSA Art. 24(5)), pure.

One object per decision in DSA scope (`Statement.dsa`, set from the policy's `dsa_scope`),
with the database's field names and values, validated field by field before it is written.
No personal data reaches an object: the facts are rebuilt from the structured figures only
(norms, values, thresholds, counts, dates); the operator's own words, item ids and shop ids
stay out. `puid` is derived from the stored statement, so a re-export gives the same one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from servicenorm.policy.schema import EU_EEA

VISIBILITY = (
    "DECISION_VISIBILITY_CONTENT_REMOVED",
    "DECISION_VISIBILITY_CONTENT_DISABLED",
    "DECISION_VISIBILITY_CONTENT_DEMOTED",
    "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_LABELLED",
    "DECISION_VISIBILITY_OTHER",
)
MONETARY = (
    "DECISION_MONETARY_SUSPENSION",
    "DECISION_MONETARY_TERMINATION",
    "DECISION_MONETARY_OTHER",
)
PROVISION = (
    "DECISION_PROVISION_PARTIAL_SUSPENSION",
    "DECISION_PROVISION_TOTAL_SUSPENSION",
    "DECISION_PROVISION_PARTIAL_TERMINATION",
    "DECISION_PROVISION_TOTAL_TERMINATION",
)
ACCOUNT = ("DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED")
GROUNDS = ("DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT")
CATEGORIES = (
    "STATEMENT_CATEGORY_ANIMAL_WELFARE",
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR",
    "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT",
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    "STATEMENT_CATEGORY_SELF_HARM",
    "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
    "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS",
    "STATEMENT_CATEGORY_VIOLENCE",
)
CONTENT_TYPES = (
    "CONTENT_TYPE_APP",
    "CONTENT_TYPE_AUDIO",
    "CONTENT_TYPE_IMAGE",
    "CONTENT_TYPE_PRODUCT",
    "CONTENT_TYPE_SYNTHETIC_MEDIA",
    "CONTENT_TYPE_TEXT",
    "CONTENT_TYPE_VIDEO",
    "CONTENT_TYPE_OTHER",
)
SOURCES = (
    "SOURCE_ARTICLE_16",
    "SOURCE_TRUSTED_FLAGGER",
    "SOURCE_TYPE_OTHER_NOTIFICATION",
    "SOURCE_VOLUNTARY",
)
AUTOMATED_DECISION = (
    "AUTOMATED_DECISION_FULLY",
    "AUTOMATED_DECISION_PARTIALLY",
    "AUTOMATED_DECISION_NOT_AUTOMATED",
)
ACCOUNT_TYPES = ("ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE")
BATCH = 100  # objects per submission file

# What each restriction is in the database's terms: (field, value)
_DECISIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "restrict_search": (("decision_visibility", "DECISION_VISIBILITY_CONTENT_DEMOTED"),),
    "pause_shop": (
        ("decision_visibility", "DECISION_VISIBILITY_CONTENT_DISABLED"),
        ("decision_provision", "DECISION_PROVISION_PARTIAL_SUSPENSION"),
    ),
    "delay_payouts": (("decision_monetary", "DECISION_MONETARY_SUSPENSION"),),
    "suspend_trading": (
        ("decision_provision", "DECISION_PROVISION_TOTAL_SUSPENSION"),
        ("decision_account", "DECISION_ACCOUNT_SUSPENDED"),
    ),
    "disable_messaging": (("decision_provision", "DECISION_PROVISION_PARTIAL_SUSPENSION"),),
    "suspend_permanently": (
        ("decision_provision", "DECISION_PROVISION_TOTAL_TERMINATION"),
        ("decision_account", "DECISION_ACCOUNT_TERMINATED"),
    ),
}
_END_FIELD = {
    "decision_visibility": "end_date_visibility_restriction",
    "decision_monetary": "end_date_monetary_restriction",
    "decision_provision": "end_date_service_restriction",
    "decision_account": "end_date_account_restriction",
}
_CATEGORY = {"manipulation": "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"}
_AUTOMATED = {
    "fully": "AUTOMATED_DECISION_FULLY",
    "partially": "AUTOMATED_DECISION_PARTIALLY",
    "not": "AUTOMATED_DECISION_NOT_AUTOMATED",
}
_REASONS = {
    "norms": "The business user's service figures did not meet the thresholds of the "
    "marketplace's service standards over the measured period.",
    "new_shop": "A business user with little history received a high number of complaints.",
    "linked_shop": "The restriction of a linked business account of the same business user "
    "extends to this account under the terms.",
    "terms_violation": "The business user's conduct violated the terms of service.",
    "manipulation": "The business user is reasonably suspected of manipulating the "
    "marketplace's figures or reviews.",
    "operator": "The marketplace's trust and safety team found conduct the terms prohibit.",
}
PUID = re.compile(r"^[a-zA-Z0-9_-]{1,500}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _facts_text(facts: list[Mapping[str, Any]], reason_code: str) -> str:
    """The decision's facts from structured figures only (no free text, ids or names)."""
    lines = [_REASONS.get(reason_code, _REASONS["operator"])]
    for f in facts:
        if "norm" not in f:
            n = len(f.get("ids") or [])
            lines.append(f"The decision rests on {n} recorded item(s) of evidence.")
            continue
        line = (
            f"{str(f['norm']).replace('_', ' ')}: value {float(f['value']):.4g}, "
            f"threshold {float(f['threshold']):.4g}, period {f['window_from']} to {f['window_to']}"
        )
        if f.get("count"):
            line += f"; {int(f['count'])} items"
            if f.get("first") and f.get("last"):
                line += f" from {f['first']} to {f['last']}"
        figures = f.get("figures") or {}
        nums = [f"{k} {v}" for k, v in figures.items() if isinstance(v, int | float)]
        if nums:
            line += "; " + ", ".join(nums)
        lines.append(line + ".")
    return "\n".join(lines)[:5000]


def _day(t: datetime) -> str:
    return t.date().isoformat()


def tdb_object(
    statement_id: str,
    content: Mapping[str, Any],
    kind: str,
    reason_code: str,
    stated_at: datetime,
    start_at: datetime,
    end_at: datetime | None,
) -> dict[str, Any]:
    """One statement as a Transparency Database object (not yet validated)."""
    obj: dict[str, Any] = {}
    for fld, value in _DECISIONS[kind]:
        if fld == "decision_visibility":
            obj[fld] = [value]
        else:
            obj[fld] = value
        obj[_END_FIELD[fld]] = None if end_at is None else _day(end_at)
    facts = list(content.get("facts", []))
    ground = content.get("ground", {})
    days = sorted(str(f["first"]) for f in facts if f.get("first"))
    obj.update(
        {
            "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
            "incompatible_content_ground": str(ground.get("clause", ""))[:500],
            "incompatible_content_explanation": _REASONS.get(reason_code, _REASONS["operator"])[
                :2000
            ],
            "category": _CATEGORY.get(reason_code, "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE"),
            "content_type": ["CONTENT_TYPE_PRODUCT"],
            "territorial_scope": sorted(content.get("measure", {}).get("territorial_scope", [])),
            "application_date": _day(start_at),
            "content_date": days[0] if days else _day(stated_at),
            "decision_facts": _facts_text(facts, reason_code),
            "source_type": "SOURCE_VOLUNTARY",
            "automated_detection": "Yes" if content["automated"]["detection"] else "No",
            "automated_decision": _AUTOMATED[content["automated"]["decision"]],
            "account_type": "ACCOUNT_TYPE_BUSINESS",
            "puid": f"servicenorm-{statement_id}",
        }
    )
    return obj


def _enum(obj: Mapping[str, Any], fld: str, allowed: tuple[str, ...], errs: list[str]) -> None:
    if obj.get(fld) not in allowed:
        errs.append(f"{fld}: {obj.get(fld)!r} is not one of the allowed values")


def validate(obj: Mapping[str, Any]) -> list[str]:
    """Every rule the database checks on a statement that this export can break."""
    errs: list[str] = []
    decisions = [f for f in _END_FIELD if obj.get(f) is not None]
    if not decisions:
        errs.append("one of decision_visibility, decision_monetary, decision_provision, "
                    "decision_account is required")  # fmt: skip
    if "decision_visibility" in obj:
        vis = obj["decision_visibility"]
        if not isinstance(vis, list) or not vis or any(v not in VISIBILITY for v in vis):
            errs.append("decision_visibility: a non-empty array of DECISION_VISIBILITY_* values")
    for fld, allowed in (
        ("decision_monetary", MONETARY),
        ("decision_provision", PROVISION),
        ("decision_account", ACCOUNT),
    ):
        if fld in obj:
            _enum(obj, fld, allowed, errs)
    for fld, end in _END_FIELD.items():
        if end in obj and fld not in obj:
            errs.append(f"{end}: only with {fld}")
        v = obj.get(end)
        if v is not None and (not isinstance(v, str) or not _DAY.match(v)):
            errs.append(f"{end}: YYYY-MM-DD or null")
    _enum(obj, "decision_ground", GROUNDS, errs)
    if obj.get("decision_ground") == "DECISION_GROUND_INCOMPATIBLE_CONTENT":
        for fld, most in (
            ("incompatible_content_ground", 500),
            ("incompatible_content_explanation", 2000),
        ):
            v = obj.get(fld)
            if not isinstance(v, str) or not v.strip():
                errs.append(f"{fld}: required with DECISION_GROUND_INCOMPATIBLE_CONTENT")
            elif len(v) > most:
                errs.append(f"{fld}: at most {most} characters")
    _enum(obj, "category", CATEGORIES, errs)
    ct = obj.get("content_type")
    if not isinstance(ct, list) or not ct or any(c not in CONTENT_TYPES for c in ct):
        errs.append("content_type: a non-empty array of CONTENT_TYPE_* values")
    elif "CONTENT_TYPE_OTHER" in ct and not obj.get("content_type_other"):
        errs.append("content_type_other: required with CONTENT_TYPE_OTHER")
    ts = obj.get("territorial_scope")
    if not isinstance(ts, list) or any(c not in EU_EEA for c in ts):
        errs.append("territorial_scope: an array of EU/EEA ISO codes")
    for fld in ("application_date", "content_date"):
        v = obj.get(fld)
        if not isinstance(v, str) or not _DAY.match(v):
            errs.append(f"{fld}: YYYY-MM-DD")
        else:
            try:
                date.fromisoformat(v)
            except ValueError:
                errs.append(f"{fld}: not a date")
    facts = obj.get("decision_facts")
    if not isinstance(facts, str) or not facts.strip() or len(facts) > 5000:
        errs.append("decision_facts: required, at most 5000 characters")
    _enum(obj, "source_type", SOURCES, errs)
    if obj.get("automated_detection") not in ("Yes", "No"):
        errs.append("automated_detection: Yes or No")
    _enum(obj, "automated_decision", AUTOMATED_DECISION, errs)
    _enum(obj, "account_type", ACCOUNT_TYPES, errs)
    puid = obj.get("puid")
    if not isinstance(puid, str) or not PUID.match(puid):
        errs.append("puid: 1-500 characters of [a-zA-Z0-9_-]")
    return errs

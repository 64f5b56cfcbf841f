"""The one call site where an outgoing seller/staff/agent message meets the message policy
(SPEC R5): `moderate_outgoing`. It uses `servicenorm.moderation` (moderate + decide) when
that package is installed and delivers unchanged otherwise.

Block -> the API answers 422 with the spans; mask -> the buyer sees the masked text and the
original is kept for audit; record -> delivered as written, with a violation row.
"""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType
from typing import Any, Literal

from servicenorm.policy import Policy


@dataclass(frozen=True)
class Verdict:
    action: Literal["deliver", "block", "mask"]
    text: str
    violations: list[dict[str, Any]] = field(default_factory=list)


@cache
def _moderation() -> ModuleType | None:
    try:
        mod = importlib.import_module("servicenorm.moderation")
    except ImportError:
        return None
    return mod if hasattr(mod, "moderate") and hasattr(mod, "decide") else None


def _plain(v: Any) -> Any:
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return {k: _plain(x) for k, x in dataclasses.asdict(v).items()}
    if hasattr(v, "model_dump"):
        return _plain(v.model_dump())
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, str | int | float | bool) or v is None:
        return v
    return str(v)


def moderate_outgoing(text: str, policy: Policy, market: str) -> Verdict:
    """Judge a message a seller, staff member or agent sends to a buyer in `market` (country)."""
    mod = _moderation()
    if mod is None:
        return Verdict("deliver", text)
    result = mod.moderate(text, market)
    decision = mod.decide(result, policy.moderation, text)
    violations = [v if isinstance(v, dict) else _plain(v) for v in (decision.violations or [])]
    if decision.action == "block":
        return Verdict("block", text, violations)
    if decision.action == "mask":
        return Verdict("mask", str(decision.delivered_text), violations)
    return Verdict("deliver", text, violations)

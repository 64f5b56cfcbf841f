"""Enforcement (docs/enforcement.md): findings -> escalation ladders, restrictions with reason,
start, end
or "until lifted" and an audit trail, badges, takeovers with a cost ledger, absences.

Pure rules: `ladder`, `badge_rules`, `absence_rules`, `holistic`, `event_facts`, `simulate`.
Their persistence and the entry points:

    apply_evaluation(session, rep, findings, policy, as_of) -> AppliedResult
    run_due_evaluations(session, now) -> TickReport      # what `servicenorm serve` runs
    in_force(session, at, seller_ids) / capabilities(session, seller_id, at)
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "AppliedResult": "servicenorm.enforce.apply",
    "apply_evaluation": "servicenorm.enforce.apply",
    "TickReport": "servicenorm.enforce.schedule",
    "run_due_evaluations": "servicenorm.enforce.schedule",
    "in_force": "servicenorm.enforce.actions",
    "capabilities": "servicenorm.enforce.actions",
    "Worker": "servicenorm.enforce.worker",
}


def __getattr__(name: str) -> Any:
    # lazy: the rule modules import each other through this package
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'servicenorm.enforce' has no attribute {name!r}")


__all__ = sorted(_EXPORTS)

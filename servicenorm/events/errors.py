"""Readable validation errors: which line, which field, what was expected."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from servicenorm.events.models import EVENT_TYPES

_KNOWN = ", ".join(sorted(EVENT_TYPES))


@dataclass(frozen=True)
class EventError(Exception):
    """One invalid event. `line` is 1-based (0 when the event did not come from a file)."""

    field: str
    reason: str
    line: int = 0
    source: str = ""

    def __reduce__(self) -> tuple[type[EventError], tuple[str, str, int, str]]:
        return (EventError, (self.field, self.reason, self.line, self.source))

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}: " if self.line else ""
        return f"{where}field '{self.field}': {self.reason}"


def _reason(err: dict[str, object]) -> str:
    kind = str(err.get("type"))
    if kind == "missing":
        return "required field is missing"
    if kind == "timezone_aware":
        return "time has no UTC offset (expected ISO 8601 with an offset, e.g. 2026-03-02T10:15:00+01:00)"
    if kind == "union_tag_invalid":
        ctx = err.get("ctx")
        tag = ctx.get("tag") if isinstance(ctx, dict) else err.get("input")
        return f"unknown event type {tag!r}; expected one of {_KNOWN}"
    if kind == "union_tag_not_found":
        return f"required field is missing; expected one of {_KNOWN}"
    if kind == "json_invalid":
        return f"not valid JSON ({err.get('msg')})"
    if kind in {"model_type", "model_attributes_type"}:
        return "expected a JSON object"
    return f"{err.get('msg')} (got {err.get('input')!r})"


def from_validation_error(exc: ValidationError, line: int = 0, source: str = "") -> EventError:
    """The first error of a pydantic failure, as one EventError."""
    err = exc.errors(include_url=False)[0]
    loc = [str(p) for p in err.get("loc", ())]
    if err.get("type") in {"union_tag_invalid", "union_tag_not_found"}:
        field = "type"
    elif loc and loc[0] in EVENT_TYPES:
        field = ".".join(loc[1:]) or "(event)"
    else:
        field = ".".join(loc) or "(line)"
    return EventError(field=field, reason=_reason(dict(err)), line=line, source=source)

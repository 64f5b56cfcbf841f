"""Domain errors that know their HTTP status: the web edge maps them 1:1."""

from __future__ import annotations


class DomainError(Exception):
    status: int = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """Unknown id, or a resource the caller may not see (never reveal that it exists)."""

    status = 404


class Forbidden(DomainError):
    """The caller sees the resource but its role may not do this."""

    status = 403


class Conflict(DomainError):
    """The request clashes with the current state (duplicate id, changed meanwhile)."""

    status = 409


class Invalid(DomainError):
    """Well-formed input that the domain refuses; `field` names the culprit."""

    status = 422


class Blocked(Invalid):
    """A message the marketplace's policy does not deliver (R5, action `block`)."""

    def __init__(self, message: str, violations: list[dict[str, object]]) -> None:
        super().__init__(message, "body")
        self.violations = violations

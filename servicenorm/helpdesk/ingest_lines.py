"""What ingesting a line yields, and the one wording of each refusal (`projection`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from servicenorm.access.errors import Forbidden, Invalid
from servicenorm.events import Event, EventError, parse_event
from servicenorm.events.columns import content


@dataclass(frozen=True)
class LineError:
    line: int
    id: str | None
    field: str
    reason: str


@dataclass
class IngestReport:
    accepted: int = 0
    duplicates: int = 0
    errors: list[LineError] = field(default_factory=list)

    def add(self, other: IngestReport) -> None:
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.errors.extend(other.errors)


def line_id(obj: Any) -> str | None:
    """The id a line claims, for its error report (None when it has no usable id)."""
    return obj.get("id") if isinstance(obj, dict) and isinstance(obj.get("id"), str) else None


def parse_line(obj: Any) -> tuple[Event, dict[str, Any]]:
    """The event of a line and the payload the log stores (a repeat is compared with it by
    `same_content`)."""
    if not isinstance(obj, dict):
        raise EventError(field="(event)", reason="expected a JSON object")
    e = parse_event(obj)
    return e, e.model_dump(mode="json", exclude_none=True)


def same_content(stored: dict[str, Any], e: Event) -> bool:
    """Whether a stored event (its payload) says what `e` says: compared as the command line's
    reader compares a repeated id (`events.columns.content`), so an instant written with
    another offset, or a system message without `automated`, is the same content."""
    try:
        return content(parse_event(stored)) == content(e)
    except EventError:  # (a payload stored by an older rule that no longer parses)
        return False


def unknown_seller(seller_id: str, fld: str = "seller") -> Invalid:
    return Invalid(f"unknown seller {seller_id!r}; send its seller_registered event first", fld)


def unknown_order(order_id: str) -> Invalid:
    return Invalid(f"unknown order {order_id!r}; send its order_placed event first", "order")


def unknown_conversation(cid: str) -> Invalid:
    return Invalid(
        f"unknown conversation {cid!r}; send its question_opened event first", "conversation"
    )


def buyer_elsewhere(buyer_id: str) -> Invalid:
    return Invalid(f"buyer {buyer_id!r} belongs to another marketplace", "buyer")


def order_not_between(order_id: str) -> Invalid:
    return Invalid(f"order {order_id!r} is not between this seller and buyer", "order")


def conversation_taken(cid: str) -> Invalid:
    return Invalid(f"conversation {cid!r} was opened by another event", "conversation")


def order_taken(order_id: str) -> Invalid:
    return Invalid(f"order {order_id!r} was placed by another event", "order")


def seller_elsewhere(seller_id: str, marketplace_id: str) -> Invalid:
    return Invalid(
        f"seller {seller_id!r} is registered with marketplace {marketplace_id!r}", "marketplace"
    )


def id_reused(event_id: str) -> Invalid:
    return Invalid(f"event id {event_id!r} was used by a different event", "id")


def out_of_scope(marketplace_id: str) -> Forbidden:
    return Forbidden(f"this event concerns marketplace {marketplace_id!r}, outside your scope")


def message_taken(message_id: str) -> Invalid:
    return Invalid(f"id {message_id!r} is taken by a stored message", "id")

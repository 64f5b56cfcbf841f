"""The event contract (docs/contract/events.md) written out as plain checks, independent of
`servicenorm.events`, so the generator is tested against the document itself."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$")
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
WEEKDAYS = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}


def is_str(v: Any) -> bool:
    return isinstance(v, str) and v != ""


def is_instant(v: Any) -> bool:
    if not isinstance(v, str) or not INSTANT.match(v):
        return False
    return datetime.fromisoformat(v).tzinfo is not None


def is_date(v: Any) -> bool:
    try:
        return isinstance(v, str) and date.fromisoformat(v).isoformat() == v
    except ValueError:
        return False


def is_decimal(v: Any) -> bool:
    try:
        return isinstance(v, str) and Decimal(v).is_finite() and Decimal(v) >= 0
    except InvalidOperation:
        return False


def is_bool(v: Any) -> bool:
    return isinstance(v, bool)


def is_country(v: Any) -> bool:
    return isinstance(v, str) and re.fullmatch(r"[A-Z]{2}", v) is not None


def one_of(*options: str) -> Callable[[Any], bool]:
    return lambda v: v in options


def is_str_list(v: Any) -> bool:
    return isinstance(v, list) and all(is_str(x) for x in v)


def is_rating(v: Any) -> bool:
    return type(v) is int and 1 <= v <= 5


def is_hours(v: Any) -> bool:
    if not isinstance(v, dict) or not set(v) <= WEEKDAYS:
        return False
    for spans in v.values():
        for span in spans:
            if not (
                isinstance(span, list)
                and len(span) == 2
                and all(isinstance(x, str) and HHMM.match(x) for x in span)
            ):
                return False
            if span[0] >= span[1]:
                return False
    return True


def any_text(v: Any) -> bool:
    return isinstance(v, str)


def is_due(v: Any) -> bool:
    return is_date(v) or is_instant(v)


# type -> field -> (check, required)
REQ, OPT = True, False
CONTRACT: dict[str, dict[str, tuple[Callable[[Any], bool], bool]]] = {
    "seller_registered": {
        "seller": (is_str, REQ),
        "marketplace": (is_str, REQ),
        "country": (is_country, REQ),
        "linked_sellers": (is_str_list, OPT),
    },
    "question_opened": {
        "conversation": (is_str, REQ),
        "seller": (is_str, REQ),
        "buyer": (is_str, REQ),
        "order": (is_str, OPT),
        "origin": (one_of("buyer", "platform_forward"), REQ),
        "body": (any_text, REQ),
    },
    "message_sent": {
        "conversation": (is_str, REQ),
        "author": (one_of("buyer", "seller", "staff", "agent", "system"), REQ),
        "body": (any_text, REQ),
        "automated": (is_bool, OPT),
    },
    "call_attempt": {"seller": (is_str, REQ), "answered": (is_bool, REQ)},
    "phone_hours_set": {"seller": (is_str, REQ), "hours": (is_hours, REQ)},
    "shop_closed": {"seller": (is_str, REQ)},
    "shop_reopened": {"seller": (is_str, REQ)},
    "order_placed": {
        "order": (is_str, REQ),
        "seller": (is_str, REQ),
        "buyer": (is_str, REQ),
        "ship_by": (is_instant, REQ),
        "category": (is_str, REQ),
        "amount": (is_decimal, REQ),
        "currency": (is_str, REQ),
    },
    "order_shipped": {"order": (is_str, REQ), "tracking": (any_text, OPT)},
    "carrier_scan": {"order": (is_str, REQ)},
    "order_delivered": {"order": (is_str, REQ)},
    "order_cancelled": {"order": (is_str, REQ)},
    "review_posted": {"order": (is_str, REQ), "rating": (is_rating, REQ), "text": (any_text, OPT)},
    "case_opened": {
        "case": (is_str, REQ),
        "order": (is_str, REQ),
        "kind": (one_of("not_received", "not_as_described", "return", "other"), REQ),
    },
    "case_closed": {"case": (is_str, REQ), "resolution": (one_of("seller", "platform"), REQ)},
    "bill_issued": {
        "bill": (is_str, REQ),
        "seller": (is_str, REQ),
        "amount": (is_decimal, REQ),
        "currency": (is_str, REQ),
        "due": (is_due, REQ),
    },
    "bill_paid": {
        "bill": (is_str, REQ),
        "seller": (is_str, REQ),
        "amount": (is_decimal, REQ),
        "currency": (is_str, REQ),
    },
    "absence_announced": {"seller": (is_str, REQ), "start": (is_date, REQ), "end": (is_date, REQ)},
}


def problems(event: dict[str, Any]) -> list[str]:
    """Every way `event` breaks the contract (empty when it is valid)."""
    out = []
    if not is_str(event.get("id")):
        out.append("id")
    if not is_instant(event.get("at")):
        out.append(f"at {event.get('at')!r}")
    spec = CONTRACT.get(event.get("type", ""))
    if spec is None:
        return [*out, f"type {event.get('type')!r}"]
    for name, (check, required) in spec.items():
        if name not in event:
            if required:
                out.append(f"{event['type']}: missing {name}")
        elif not check(event[name]):
            out.append(f"{event['type']}: {name}={event[name]!r}")
    extra = set(event) - set(spec) - {"id", "type", "at"}
    if extra:
        out.append(f"{event['type']}: fields outside the contract {sorted(extra)}")
    if event["type"] == "absence_announced" and not out and event["end"] < event["start"]:
        out.append("absence ends before it starts")
    if (
        event["type"] == "message_sent"
        and event.get("author") == "system"
        and event.get("automated") is False
    ):
        out.append("a system message marked not automated")
    return out

"""Factories for small event logs: each test states only the facts it is about."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from servicenorm.clock import parse_instant
from servicenorm.engines.duckdb_engine import DuckDBEngine
from servicenorm.events import events_from_objects
from servicenorm.metrics import Run, Window, prepare, report
from servicenorm.policy import load_preset

_ids = count(1)


def ev(type_: str, at: str, **fields: Any) -> dict[str, Any]:
    return {"id": f"t{next(_ids)}", "type": type_, "at": at, **fields}


def seller(
    name: str = "s1",
    marketplace: str = "bol",
    country: str = "NL",
    at: str = "2026-01-01T00:00:00+01:00",
) -> dict[str, Any]:
    return ev("seller_registered", at, seller=name, marketplace=marketplace, country=country)


def question(
    conv: str, at: str, seller: str = "s1", order: str | None = None, origin: str = "buyer"
) -> dict[str, Any]:
    e = ev(
        "question_opened",
        at,
        conversation=conv,
        seller=seller,
        buyer="b1",
        origin=origin,
        body="Waar blijft mijn pakket?",
    )
    if order:
        e["order"] = order
    return e


def message(
    conv: str, at: str, author: str = "seller", automated: bool | None = None
) -> dict[str, Any]:
    e = ev("message_sent", at, conversation=conv, author=author, body="Dank voor je bericht.")
    if automated is not None:
        e["automated"] = automated
    return e


def evaluate(
    events: list[dict[str, Any]],
    preset: str = "bol",
    start: str = "2026-03-02",
    end: str = "2026-03-30",
    as_of: str = "2026-04-06T00:00:00+02:00",
    keep_text: bool = False,
) -> tuple[dict[str, Any], Run]:
    policy = load_preset(preset)
    log = events_from_objects(events, keep_text=keep_text)
    assert not log.errors, log.errors
    run = prepare(
        log,
        policy,
        Window(
            date.fromisoformat(start), date.fromisoformat(end), parse_instant(as_of), policy.zone
        ),
        DuckDBEngine(),
    )
    return report(run, extended=True), run

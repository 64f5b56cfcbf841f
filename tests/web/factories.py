"""Builders for the page tests: a store with a marketplace whose sellers have a history.

Everything is placed relative to a given `now`, on working days of the preset's calendar,
through the same ingest path the API uses, so pages read what a real deployment stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from servicenorm.access.principal import Principal
from servicenorm.bootstrap import Container, bootstrap
from servicenorm.clock.source import fixed_clock
from servicenorm.helpdesk.accounts import create_account, ensure_operator_token, principal_of
from servicenorm.helpdesk.directory import create_marketplace, create_seller
from servicenorm.helpdesk.ingest import ingest_many
from servicenorm.policy.stored import policy_for
from servicenorm.settings import Settings
from tests.migrated import migrated_sqlite

OPERATOR_TOKEN = "sn_test_operator_token_0123456789"


# the default instant of the page tests (tests/web/conftest.py runs some at others too)
NOW = datetime(2026, 12, 3, 10, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))  # a Thursday


def container(tmp: Path, now: datetime = NOW) -> Container:
    """A migrated SQLite store whose clock reads `now` (the pages' NowDep and the worker)."""
    migrated_sqlite(tmp / "pages.db")  # every branch: the helpdesk's and enforcement's tables
    return bootstrap(
        Settings(
            environment="test",
            database_url=f"sqlite:///{tmp / 'pages.db'}",
            operator_token=OPERATOR_TOKEN,
        ),
        migrate=False,
        clock=fixed_clock(now),
    )


def operator(c: Container) -> Principal:
    with c.sessions() as s:
        acc = ensure_operator_token(s, OPERATOR_TOKEN, c.pepper, c.clock())
        s.commit()
        return principal_of(acc)


@dataclass
class History:
    """One seller's questions: `(received, reply delay or None)`; None leaves it open."""

    seller: str
    country: str = "NL"
    questions: list[tuple[datetime, timedelta | None]] = field(default_factory=list)
    calls: list[tuple[datetime, bool]] = field(default_factory=list)


def working_days(now: datetime, zone: str, days: int, at: time) -> list[datetime]:
    """Monday-to-Friday instants at local `at` in the `days` days before `now` (oldest first)."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    out = []
    for back in range(days, 0, -1):
        d = (local - timedelta(days=back)).date()
        if d.weekday() < 5:
            out.append(datetime.combine(d, at, tz))
    return out


def weekly_evaluation(now: datetime, preset: str) -> datetime:
    """The preset's last weekly evaluation at or before `now`: Monday at its `[schedule] at`,
    local time (what `servicenorm serve` and the simulation evaluate at)."""
    policy = policy_for(preset)
    assert policy.schedule.evaluate_every == "week", policy.schedule
    local = now.astimezone(ZoneInfo(policy.zone))
    at = time.fromisoformat(policy.schedule.at)
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), at, local.tzinfo)
    return monday if monday <= local else monday - timedelta(days=7)


def late(at: datetime, preset: str, country: str, at_least: timedelta) -> timedelta:
    """A reply delay that is late whatever day `at` falls on: `at_least`, or longer when the
    preset's response calendar (weekends, holidays) leaves fewer working hours in it than its
    allowance plus one hour."""
    policy = policy_for(preset)
    cal = policy.response_calendar(country)
    return max(at_least, cal.deadline(at, policy.response.allowance + timedelta(hours=1)) - at)


def events_for(h: History, market: str) -> list[dict[str, Any]]:
    ev: list[dict[str, Any]] = []
    for i, (at, delay) in enumerate(h.questions):
        cid = f"{h.seller}-q{i}"
        ev.append(
            {
                "id": f"{cid}-open",
                "type": "question_opened",
                "at": at.isoformat(),
                "conversation": cid,
                "seller": h.seller,
                "buyer": f"{market}-buyer{i % 7}",
                "origin": "buyer",
                "body": f"Waar blijft bestelling {1000 + i}?",
            }
        )
        if delay is not None:
            ev.append(
                {
                    "id": f"{cid}-reply",
                    "type": "message_sent",
                    "at": (at + delay).isoformat(),
                    "conversation": cid,
                    "author": "seller",
                    "body": "Uw pakket is onderweg.",
                }
            )
    for i, (at, answered) in enumerate(h.calls):
        ev.append(
            {
                "id": f"{h.seller}-call{i}",
                "type": "call_attempt",
                "at": at.isoformat(),
                "seller": h.seller,
                "answered": answered,
            }
        )
    return ev


def seed(
    c: Container, market: str, preset: str, histories: list[History], now: datetime
) -> dict[str, str]:
    """A marketplace created through the directory (its id differs from the preset name),
    its sellers, their events ingested; returns a seller account token per seller."""
    op = operator(c)
    tokens: dict[str, str] = {}
    with c.sessions() as s:
        create_marketplace(s, op, market, preset, market.title(), now - timedelta(days=120))
        for h in histories:
            create_seller(
                s,
                op,
                h.seller,
                market,
                h.seller.replace("-", " ").title(),
                h.country,
                [],
                now - timedelta(days=100),
            )
            _acc, tokens[h.seller] = create_account(
                s,
                op,
                "seller",
                f"{h.seller} owner",
                None,
                marketplace=None,
                seller=h.seller,
                buyer=None,
                pepper=c.pepper,
                now=now,
            )
        objs: list[dict[str, Any]] = []
        for h in histories:
            objs.extend(events_for(h, market))
        for i, h in enumerate(histories):  # buyers are created on first use, per marketplace
            del i, h
        report = ingest_many(s, op, enumerate(objs, start=1), now)
        assert not report.errors, report.errors[:3]
        s.commit()
    return tokens


def staff_token(c: Container, seller: str, now: datetime) -> str:
    op = operator(c)
    with c.sessions() as s:
        _acc, token = create_account(
            s,
            op,
            "staff",
            f"{seller} staff",
            None,
            marketplace=None,
            seller=seller,
            buyer=None,
            pepper=c.pepper,
            now=now,
        )
        s.commit()
    return token

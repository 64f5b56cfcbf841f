"""Badges in the store: the monthly evaluation with sales from the log, an overdue bill
removing the badge and its payment restoring it (stamped with the bill's times), a linked
shop's restriction removing that shop's badge only, an operator's 90-day and permanent
removals, banners on the badge dashboard and one e-mail per transition."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.access.errors import Invalid
from servicenorm.enforce import badges
from servicenorm.enforce.actions import lift_action, start_action
from servicenorm.enforce.apply import apply_evaluation
from servicenorm.enforce.enforce_tables import BadgeRow
from servicenorm.enforce.event_facts import bills
from servicenorm.enforce.notices import Notifier
from servicenorm.events import events_from_objects
from servicenorm.notify.banners import banners_for
from servicenorm.notify.notify_tables import OutboxMessage
from servicenorm.policy import load_preset
from tests.enforce import factories as fx

ETSY = load_preset("etsy")
T0 = datetime(2026, 2, 1, 6, tzinfo=UTC)


def log(*extra: dict[str, Any], until: datetime = T0) -> Any:
    """Six orders of 60 USD per shop in the 20 days before `until`."""
    evs = []
    for s in ("a", "b"):
        for i in range(6):
            evs.append(
                fx.ev(
                    "order_placed",
                    f"o-{s}{i}",
                    until - timedelta(days=20 - i),
                    order=f"o-{s}{i}",
                    seller=s,
                    buyer="x",
                    ship_by=until.isoformat(),
                    category="c",
                    amount="60.00",
                    currency="USD",
                )
            )
    return events_from_objects([*evs, *extra])


def monthly(s: Session, at: datetime, ev_log: Any, entries: dict[str, dict[str, Any]]) -> Any:
    rep = fx.report("etsy", at, 91, entries)
    return apply_evaluation(s, rep, [], ETSY, at, log=ev_log, badges=True, ladder=False)


def status(s: Session, seller: str) -> tuple[str, str | None]:
    row = s.scalars(select(BadgeRow).where(BadgeRow.seller_id == seller)).one()
    return row.status, row.reason


def test_award_needs_300_usd_of_sales_in_the_window(tmp_path: Path) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        fx.market(s, "etsy", "etsy", T0)
        fx.seller(s, "a", "etsy", T0)
        fx.seller(s, "b", "etsy", T0)
        cancel = [
            fx.ev("order_cancelled", f"x{i}", T0 - timedelta(days=5), order=f"o-b{i}")
            for i in (0, 1)
        ]
        res = monthly(s, T0, log(*cancel), {"a": fx.entry(orders=6), "b": fx.entry(orders=5)})
        assert sorted(res.badge_events) == [
            ("a", "awarded", None)
        ]  # b: 6 x 60 minus two cancelled = 240
        assert status(s, "b") == ("none", None)
        row = s.scalars(select(BadgeRow).where(BadgeRow.seller_id == "b")).one()
        assert row.last_check["failed"] == ["sales"] and row.last_check["sales"] == "240.00"
        again = monthly(s, T0, log(*cancel), {"a": fx.entry(orders=6), "b": fx.entry(orders=5)})
        assert again.badge_events == [] and not again.changed
        assert [b.template for b in banners_for(s, "a", T0, "en", page="badge")] == [
            "badge_awarded"
        ]


def test_overdue_bill_removes_the_badge_and_paying_restores_it(tmp_path: Path) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        fx.market(s, "etsy", "etsy", T0)
        fx.seller(s, "a", "etsy", T0)
        monthly(s, T0, log(), {"a": fx.entry(orders=6)})
        issued = fx.ev(
            "bill_issued",
            "bi",
            T0 + timedelta(days=2),
            bill="B1",
            seller="a",
            amount="12.00",
            currency="USD",
            due="2026-02-10",
        )
        paid = fx.ev(
            "bill_paid",
            "bp",
            datetime(2026, 2, 14, 15, tzinfo=UTC),
            bill="B1",
            seller="a",
            amount="12.00",
            currency="USD",
        )
        n = Notifier(s, ETSY, datetime(2026, 2, 11, 6, tzinfo=UTC))
        all_bills = bills(log(issued, paid), 2**62, "UTC")
        unpaid = bills(log(issued), 2**62, "UTC")
        ev = badges.recheck_badges(n, unpaid, n.now).events
        assert ev == [("a", "removed", "unpaid_bill")]
        row = s.scalars(select(BadgeRow)).one()
        assert row.since == datetime(2026, 2, 11, tzinfo=UTC)  # due at the end of 10 February (UTC)
        assert badges.recheck_badges(n, unpaid, n.now).events == []
        later = datetime(2026, 2, 15, 6, tzinfo=UTC)
        back = badges.recheck_badges(Notifier(s, ETSY, later), all_bills, later).events
        assert back == [("a", "reinstated", "unpaid_bill")]
        s.refresh(row)
        assert row.since == datetime(2026, 2, 14, 15, tzinfo=UTC)  # the payment
        templates = [
            m.template for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.at))
        ]
        assert templates == [
            "badge_awarded",
            "statement_of_reasons",  # the removal is a decision with its statement
            "badge_removed",
            "badge_reinstated",
        ]
        statement = s.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "statement_of_reasons")
        ).one()
        assert "bill " in statement.body
        assert [b.template for b in banners_for(s, "a", later, "pl", page="badge")] == [
            "badge_awarded"
        ]
        shown = banners_for(s, "a", datetime(2026, 2, 12, tzinfo=UTC), "pl", page="badge")
        assert [b.template for b in shown] == ["badge_removed"] and "zaległy rachunek" in shown[
            0
        ].text


def test_a_linked_shops_restriction_removes_its_badge_not_the_others(tmp_path: Path) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        fx.market(s, "etsy", "etsy", T0)
        fx.seller(s, "a", "etsy", T0, linked=["b"])
        fx.seller(s, "b", "etsy", T0)
        monthly(s, T0, log(), {"a": fx.entry(orders=6), "b": fx.entry(orders=6)})
        at = T0 + timedelta(days=3)
        r = start_action(
            s,
            key="op:1",
            seller_id="b",
            policy="etsy",
            kind="disable_messaging",
            origin="operator",
            reason="off-platform contact",
            reason_code="terms_violation",
            start=at,
            end=None,
            actor="op",
            now=at,
        )
        assert r is not None
        n = Notifier(s, ETSY, at + timedelta(hours=1))
        assert badges.recheck_badges(n, [], n.now).events == [
            ("b", "removed", "account_restricted")
        ]
        assert status(s, "a") == ("awarded", None)
        lift_action(
            s, r.id, at=at + timedelta(days=2), by="op", reason="appeal", now=at + timedelta(days=2)
        )
        n2 = Notifier(s, ETSY, at + timedelta(days=2, hours=1))
        assert badges.recheck_badges(n2, [], n2.now).events == [
            ("b", "reinstated", "account_restricted")
        ]
        row = s.scalars(select(BadgeRow).where(BadgeRow.seller_id == "b")).one()
        assert row.since == at + timedelta(days=2)


def test_operator_removal_for_90_days_and_for_good(tmp_path: Path) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        fx.market(s, "etsy", "etsy", T0)
        fx.seller(s, "a", "etsy", T0)
        fx.seller(s, "b", "etsy", T0)
        entries = {"a": fx.entry(orders=6), "b": fx.entry(orders=6)}
        monthly(s, T0, log(), entries)
        at = T0 + timedelta(days=5)
        n = Notifier(s, ETSY, at)
        a = badges.remove_badge(
            n, "a", "terms_violation", at, days=None, permanent=False, actor="op",
            evidence=["listing 17"],
        )  # fmt: skip
        assert a.pause_until == at + timedelta(days=90)
        b = badges.remove_badge(
            n, "b", "manipulation", at, days=None, permanent=True, actor="op",
            evidence=["review 4"],
        )  # fmt: skip
        assert b.excluded
        with pytest.raises(Invalid):
            badges.remove_badge(n, "a", "criteria", at, days=None, permanent=False, actor="op")
        for month in (1, 2, 3):
            when = T0 + timedelta(days=31 * month)
            assert monthly(s, when, log(until=when), entries).badge_events == []
        back = monthly(
            s, at + timedelta(days=90), log(until=at + timedelta(days=90)), entries
        ).badge_events
        assert back == [("a", "reinstated", "terms_violation")]
        assert status(s, "b") == ("removed", "manipulation")
        mail = s.scalars(
            select(OutboxMessage).where(
                OutboxMessage.seller_id == "b", OutboxMessage.template == "badge_removed"
            )
        ).one()
        assert "permanent uitgesloten" in mail.body  # the shop is Dutch

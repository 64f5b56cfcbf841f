"""Takeover (SWOPiFY's rules): missed deadlines from the stored deadlines, disputes and ignored
returns from cases, serious violations reported by an agent; the conversation leaves the
seller, the seller is told, an agent resolves it and the cost is charged once."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.access.errors import Conflict, Invalid
from servicenorm.access.principal import Principal
from servicenorm.enforce import takeover
from servicenorm.enforce.enforce_tables import LedgerEntry, Takeover
from servicenorm.enforce.notices import Notifier
from servicenorm.helpdesk.conversations import post_message
from servicenorm.notify.notify_tables import OutboxMessage
from servicenorm.policy import load_preset
from servicenorm.store.tables import Account, Conversation, EventRow
from tests.enforce import factories as fx

SW = load_preset("swopify")
AMS = ZoneInfo("Europe/Amsterdam")
T0 = datetime(2026, 3, 2, 10, tzinfo=AMS)  # Monday


def world(s: Session) -> None:
    fx.ingest(
        s,
        [
            fx.ev(
                "seller_registered",
                "r1",
                T0 - timedelta(days=100),
                seller="phone-shop",
                marketplace="swopify",
                country="PL",
            ),
            fx.ev(
                "order_placed",
                "o1",
                T0 - timedelta(days=3),
                order="o1",
                seller="phone-shop",
                buyer="b1",
                ship_by=(T0 - timedelta(days=1)).isoformat(),
                category="phones",
                amount="300.00",
                currency="EUR",
            ),
            fx.ev(
                "order_placed",
                "o2",
                T0 - timedelta(days=3),
                order="o2",
                seller="phone-shop",
                buyer="b2",
                ship_by=(T0 - timedelta(days=1)).isoformat(),
                category="phones",
                amount="280.00",
                currency="EUR",
            ),
            fx.ev(
                "question_opened",
                "q1",
                T0,
                conversation="c1",
                seller="phone-shop",
                buyer="b1",
                order="o1",
                origin="buyer",
                body="Telefon jest zablokowany na iCloud",
            ),
            fx.ev(
                "question_opened",
                "q2",
                T0,
                conversation="c2",
                seller="phone-shop",
                buyer="b2",
                order="o2",
                origin="buyer",
                body="Kiedy wysyłka?",
            ),
        ],
        T0,
    )
    s.add(
        Account(
            id="acc-phone",
            role="seller",
            name="p",
            email="p@sellers.example",
            seller_id="phone-shop",
            active=True,
            created_at=T0,
        )
    )
    s.flush()


def test_a_missed_deadline_moves_the_conversation_to_the_platform_once(tmp_path: Path) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        world(s)
        deadline = s.get(Conversation, "c2").deadline  # type: ignore[union-attr]
        assert deadline == datetime(2026, 3, 3, 10, tzinfo=AMS)  # 24 working hours, Mon-Fri 00-24
        n = Notifier(s, SW, deadline)
        assert (
            takeover.scan(n, "swopify", deadline) == []
        )  # a reply exactly at the deadline is still on time
        after = deadline + timedelta(seconds=1)
        taken = takeover.scan(Notifier(s, SW, after), "swopify", after)
        assert {(t.conversation_id, t.trigger, t.at) for t in taken} == {
            ("c1", "missed_deadline", deadline),
            ("c2", "missed_deadline", deadline),
        }
        assert takeover.scan(Notifier(s, SW, after), "swopify", after + timedelta(hours=1)) == []
        s.commit()
        conv = s.get(Conversation, "c2")
        assert conv is not None and conv.taken_over_at == deadline
        seller = Principal("acc-phone", "seller", "p", seller_id="phone-shop")
        with pytest.raises(Conflict, match="taken this conversation over"):
            post_message(s, seller, "c2", now=after, body="Jutro!")
        mails = s.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "takeover_started")
        ).all()
        assert len(mails) == 2 and mails[0].locale == "pl" and "przejęła" not in mails[0].subject


def test_the_agent_claims_answers_resolves_and_the_seller_is_charged_once(tmp_path: Path) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        world(s)
        ag = fx.agent(s, T0)
        n = Notifier(s, SW, T0 + timedelta(minutes=5))
        t = takeover.report(
            n,
            ag,
            trigger="apple_id_lock",
            conversation_id="c1",
            now=T0 + timedelta(minutes=5),
            note="buyer sent a photo of the activation lock",
        )
        assert (
            t.state == "assigned" and t.agent_id == "agent-1" and t.at == T0 + timedelta(minutes=5)
        )
        with pytest.raises(Conflict):
            takeover.assign(n, fx.agent(s, T0, "agent-2"), t.id, T0 + timedelta(minutes=6))
        msg = post_message(s, ag, "c1", now=T0 + timedelta(minutes=10), body="Przyjmujemy zwrot.")
        assert msg.author == "agent"
        row, entry = takeover.resolve(
            n, ag, t.id, resolution="return_accepted", now=T0 + timedelta(hours=1)
        )
        assert row.state == "resolved" and entry is not None
        assert (Decimal(entry.amount), entry.currency, entry.seller_id) == (
            Decimal("25.00"),
            "EUR",
            "phone-shop",
        )
        with pytest.raises(Conflict):
            takeover.resolve(n, ag, t.id, resolution="refund", now=T0 + timedelta(hours=2))
        s.commit()
        assert len(s.scalars(select(LedgerEntry)).all()) == 1
        charged = s.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "takeover_charged")
        ).one()
        assert "25.00 EUR" in charged.subject


def test_reporting_needs_a_trigger_the_policy_knows(tmp_path: Path) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        world(s)
        n = Notifier(s, SW, T0)
        with pytest.raises(Invalid):
            takeover.report(
                n, fx.operator(), trigger="missed_deadline", conversation_id="c1", now=T0
            )
        bol = load_preset("bol")
        with pytest.raises(Invalid, match="does not take over"):
            takeover.report(
                Notifier(s, bol, T0),
                fx.operator(),
                trigger="counterfeit",
                conversation_id="c1",
                now=T0,
            )


def test_cases_a_conformity_dispute_at_once_an_ignored_return_after_48_working_hours(
    tmp_path: Path,
) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        world(s)
        opened = T0 + timedelta(hours=1)
        fx.ingest(
            s,
            [
                fx.ev(
                    "message_sent",
                    "m1",
                    T0 + timedelta(minutes=30),
                    conversation="c1",
                    author="seller",
                    body="OK",
                ),
                fx.ev(
                    "message_sent",
                    "m2",
                    T0 + timedelta(minutes=30),
                    conversation="c2",
                    author="seller",
                    body="OK",
                ),
                fx.ev("case_opened", "k1", opened, case="K1", order="o1", kind="not_as_described"),
                fx.ev("case_opened", "k2", opened, case="K2", order="o2", kind="return"),
            ],
            opened,
        )
        now = opened + timedelta(minutes=1)
        taken = takeover.scan(Notifier(s, SW, now), "swopify", now)
        assert [(t.case_id, t.trigger, t.conversation_id, t.at) for t in taken] == [
            ("K1", "conformity_dispute", "c1", opened)
        ]
        due = opened + timedelta(hours=48)  # Mon 11:00 + 48 working hours = Wed 11:00
        assert takeover.scan(Notifier(s, SW, due), "swopify", due) == []
        late = takeover.scan(Notifier(s, SW, due), "swopify", due + timedelta(seconds=1))
        assert [(t.case_id, t.trigger, t.at) for t in late] == [
            ("K2", "ignored_return_rights", due)
        ]
        ag = fx.agent(s, T0)
        takeover.assign(Notifier(s, SW, due), ag, late[0].id, due + timedelta(hours=1))
        takeover.resolve(
            Notifier(s, SW, due), ag, late[0].id, resolution="refund", now=due + timedelta(hours=2)
        )
        closed = s.scalars(select(EventRow).where(EventRow.type == "case_closed")).one()
        assert closed.payload["case"] == "K2" and closed.payload["resolution"] == "platform"


def test_a_return_the_seller_closes_in_time_is_not_taken_over(tmp_path: Path) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        world(s)
        opened = T0 + timedelta(hours=1)
        fx.ingest(
            s,
            [
                fx.ev(
                    "message_sent",
                    "m2",
                    T0 + timedelta(minutes=30),
                    conversation="c2",
                    author="seller",
                    body="OK",
                ),
                fx.ev(
                    "message_sent",
                    "m1",
                    T0 + timedelta(minutes=30),
                    conversation="c1",
                    author="seller",
                    body="OK",
                ),
                fx.ev("case_opened", "k2", opened, case="K2", order="o2", kind="return"),
                fx.ev(
                    "case_closed",
                    "k2c",
                    opened + timedelta(hours=20),
                    case="K2",
                    resolution="seller",
                ),
            ],
            opened,
        )
        later = opened + timedelta(days=5)
        assert takeover.scan(Notifier(s, SW, later), "swopify", later) == []
        assert s.scalars(select(Takeover)).all() == []


def test_a_case_id_in_two_marketplaces_is_two_cases_each_with_its_stored_deadline(
    tmp_path: Path,
) -> None:
    from servicenorm.enforce.enforce_tables import CaseDeadline
    from servicenorm.store import eventlog

    with fx.store(tmp_path) as sessions, sessions() as s:
        opened = T0 + timedelta(hours=1)
        events = []
        for market, shop in (("north", "shop-n"), ("south", "shop-s")):
            fx.market(s, market, "swopify", T0 - timedelta(days=200))
            events += [
                fx.ev(
                    "seller_registered",
                    f"r-{shop}",
                    T0 - timedelta(days=100),
                    seller=shop,
                    marketplace=market,
                    country="PL",
                ),
                fx.ev(
                    "order_placed",
                    f"o-{shop}",
                    T0 - timedelta(days=3),
                    order=f"o-{shop}",
                    seller=shop,
                    buyer=f"b-{shop}",
                    ship_by=(T0 - timedelta(days=1)).isoformat(),
                    category="phones",
                    amount="300.00",
                    currency="EUR",
                ),
                fx.ev(
                    "case_opened", f"k-{shop}", opened, case="K9", order=f"o-{shop}", kind="return"
                ),
            ]
        fx.ingest(s, events, opened)
        due = opened + timedelta(hours=48)  # 48 working hours on the PL calendar
        # the north shop closes its K9 in time; the south shop leaves its own K9 open
        eventlog.record(
            s,
            "k9-closed-north",
            "case_closed",
            opened + timedelta(hours=5),
            "shop-n",
            {"case": "K9", "resolution": "seller"},
            opened + timedelta(hours=5),
        )
        first = opened + timedelta(minutes=1)
        for market in ("north", "south"):
            assert takeover.scan(Notifier(s, SW, first), market, first) == []
        stored = s.scalars(select(CaseDeadline).order_by(CaseDeadline.marketplace)).all()
        assert [(c.marketplace, c.case_id, c.seller_id, c.due_at) for c in stored] == [
            ("north", "K9", "shop-n", due),
            ("south", "K9", "shop-s", due),
        ]
        assert takeover.record_cases(Notifier(s, SW, first), "south") == 0  # computed once

        late = due + timedelta(seconds=1)
        north = takeover.scan(Notifier(s, SW, late), "north", late)
        south = takeover.scan(Notifier(s, SW, late), "south", late)
        assert north == []
        assert [(t.marketplace, t.seller_id, t.case_id, t.trigger, t.at) for t in south] == [
            ("south", "shop-s", "K9", "ignored_return_rights", due)
        ]
        s.expire_all()
        assert [
            (c.marketplace, c.state)
            for c in s.scalars(select(CaseDeadline).order_by(CaseDeadline.marketplace))
        ] == [
            ("north", "closed"),
            ("south", "taken"),
        ]
        assert takeover.scan(Notifier(s, SW, late), "south", late + timedelta(hours=1)) == []

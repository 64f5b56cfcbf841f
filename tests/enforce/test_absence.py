"""Absences in the store: a late notice is a finding and an e-mail, coverage by staff or the
platform, platform coverage moves waiting questions to the platform queue at no cost, and
vacation mode closes the shop for orders and hides the phone while deadlines keep running."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from servicenorm.access.principal import Principal
from servicenorm.enforce import absence, takeover
from servicenorm.enforce.actions import capabilities
from servicenorm.enforce.enforce_tables import Absence, FindingRow
from servicenorm.enforce.notices import Notifier
from servicenorm.notify.notify_tables import OutboxMessage
from servicenorm.policy import load_preset
from servicenorm.store.tables import Conversation, EventRow
from tests.enforce import factories as fx

SW = load_preset("swopify")
AMS = ZoneInfo("Europe/Amsterdam")
T0 = datetime(2026, 3, 2, 10, tzinfo=AMS)


def test_late_notice_is_a_finding_and_the_platform_covers_a_seller_without_staff(
    tmp_path: Path,
) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        fx.market(s, "swopify", "swopify", T0)
        fx.seller(s, "solo", "swopify", T0 - timedelta(days=200), country="DE")
        fx.seller(s, "team", "swopify", T0 - timedelta(days=200), staff=True)
        fx.ingest(
            s,
            [
                # 10 working days from 9 March, announced a week ahead: late
                fx.ev(
                    "absence_announced",
                    "a1",
                    T0,
                    seller="solo",
                    start="2026-03-09",
                    end="2026-03-20",
                ),
                # the same, three weeks ahead: in time
                fx.ev(
                    "absence_announced",
                    "a2",
                    T0,
                    seller="team",
                    start="2026-03-23",
                    end="2026-04-03",
                ),
            ],
            T0,
        )
        n = Notifier(s, SW, T0)
        got = {a.seller_id: a for a in absence.process_announcements(n, "swopify", T0)}
        assert absence.process_announcements(n, "swopify", T0) == []  # once
        assert (got["solo"].late, got["solo"].working_days, got["solo"].coverage) == (
            True,
            10,
            "platform",
        )
        assert got["solo"].notice_needed_by == datetime(2026, 2, 23, tzinfo=AMS)
        assert (got["team"].late, got["team"].coverage) == (False, "staff")
        f = s.scalars(select(FindingRow)).one()
        assert (f.seller_id, f.norm, f.at) == ("solo", "absence_notice", T0)
        mails = {m.seller_id: m for m in s.scalars(select(OutboxMessage))}
        assert mails["solo"].template == "absence_late" and mails["solo"].locale == "de"
        assert "23. Februar 2026" in mails["solo"].body  # the deadline, the German way
        assert mails["team"].template == "absence_confirmed"
        # during the absence the platform answers solo's buyers: no cost for coverage
        during = datetime(2026, 3, 10, 9, tzinfo=AMS)
        fx.ingest(
            s,
            [
                fx.ev(
                    "question_opened",
                    "q1",
                    during,
                    conversation="c1",
                    seller="solo",
                    buyer="b1",
                    origin="buyer",
                    body="Hallo?",
                )
            ],
            during,
        )
        taken = takeover.scan(Notifier(s, SW, during), "swopify", during + timedelta(minutes=1))
        assert [(t.trigger, t.conversation_id, t.at) for t in taken] == [
            ("absence_coverage", "c1", during)
        ]
        assert SW.takeover is not None and SW.takeover.cost_for("absence_coverage") == "0.00"
        conv = s.get(Conversation, "c1")
        assert conv is not None and conv.taken_over_at == during


def test_announcing_through_the_api_records_the_fact_and_judges_it(tmp_path: Path) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        fx.market(s, "swopify", "swopify", T0)
        fx.seller(s, "solo", "swopify", T0)
        me = Principal("acc-solo", "seller", "solo", seller_id="solo")
        a = absence.announce(
            Notifier(s, SW, T0), me, "solo", date(2026, 4, 1), date(2026, 4, 3), T0
        )
        assert (a.working_days, a.late) == (3, False)
        e = s.scalars(select(EventRow).where(EventRow.type == "absence_announced")).one()
        assert e.payload["start"] == "2026-04-01" and a.key == e.id
        assert s.scalars(select(Absence)).one().id == a.id


def test_vacation_mode_closes_the_shop_for_orders_and_hides_the_phone(tmp_path: Path) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        fx.market(s, "bol", "bol", T0)
        fx.seller(s, "s1", "bol", T0)
        me = Principal("acc-s1", "seller", "s1", seller_id="s1")
        absence.set_vacation(s, me, "s1", True, T0)
        cap = capabilities(s, "s1", T0)
        assert cap.shop_closed and not cap.phone_visible and not cap.allowed["accepts_orders"]
        assert cap.deadlines_running and cap.allowed["messaging"]
        absence.set_vacation(s, me, "s1", False, T0 + timedelta(days=7))
        assert capabilities(s, "s1", T0 + timedelta(days=7)).allowed["accepts_orders"]
        kinds = [e.type for e in s.scalars(select(EventRow).order_by(EventRow.at))]
        assert kinds == ["shop_closed", "shop_reopened"]

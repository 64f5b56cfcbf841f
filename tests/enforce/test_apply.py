"""Applying an evaluation: findings stored once, bol's e-mails, the ladder's steps with reason,
start and end-or-until-lifted and an audit trail, restrictions reaching linked shops, lifting
when the norms are met, and a second run of the same evaluation that changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicenorm.enforce.actions import capabilities, in_force
from servicenorm.enforce.apply import apply_evaluation
from servicenorm.enforce.audit import trail
from servicenorm.enforce.enforce_tables import Action, AuditEntry, FindingRow, LadderPosition
from servicenorm.metrics.findings import findings
from servicenorm.notify.notify_tables import Banner, OutboxMessage
from servicenorm.policy import load_preset
from tests.enforce import factories as fx

BOL, ETSY = load_preset("bol"), load_preset("etsy")
T0 = datetime(2026, 3, 2, 5, tzinfo=UTC)  # Monday 06:00 in Amsterdam


def counts(s: Session) -> dict[str, int]:
    return {
        t.__name__: int(s.scalar(select(func.count()).select_from(t)) or 0)
        for t in (FindingRow, Action, AuditEntry, OutboxMessage, Banner, LadderPosition)
    }


def bol_rep(at: datetime, **sellers: dict[str, Any]) -> dict[str, Any]:
    return fx.report("bol", at, 28, sellers)


def apply(s: Session, rep: dict[str, Any], policy: Any = BOL) -> Any:
    at = datetime.fromisoformat(rep["as_of"])
    return apply_evaluation(s, rep, findings(rep, policy), policy, at)


def test_running_the_same_evaluation_twice_never_acts_twice(tmp_path: Path) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        fx.market(s, "bol", "bol", T0)
        fx.seller(s, "slow", "bol", T0 - timedelta(days=400))
        rep = bol_rep(T0, slow=fx.entry(fr=0.7, weekly={"2026-W09": 12}, norm=0.05, questions=4))
        first = apply(s, rep)
        s.commit()
        before = counts(s)
        second = apply(s, rep)
        s.commit()
        assert (
            first.changed and first.actions and first.emails == 3
        )  # weekly e-mail, question rate, notify
        assert not second.changed and second.stale == ["slow"]
        assert counts(s) == before


def test_bol_weekly_email_once_per_iso_week_across_overlapping_evaluations(tmp_path: Path) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        fx.market(s, "bol", "bol", T0)
        fx.seller(s, "s1", "bol", T0)
        apply(s, bol_rep(T0, s1=fx.entry(weekly={"2026-W08": 3, "2026-W09": 10})))
        apply(
            s, bol_rep(T0 + timedelta(days=7), s1=fx.entry(weekly={"2026-W09": 11, "2026-W10": 9}))
        )
        s.commit()
        mails = s.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "weekly_late")
        ).all()
        assert [m.context["week"] for m in mails] == ["2026-W09"]
        assert "10" in mails[0].subject and "23 februari 2026 – 1 maart 2026" in mails[0].subject
        assert mails[0].locale == "nl" and "werkuren" in mails[0].body


def test_question_rate_above_the_personal_norm_is_an_email_not_a_ladder_step(
    tmp_path: Path,
) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        fx.market(s, "bol", "bol", T0)
        fx.seller(s, "s1", "bol", T0, country="BE")
        res = apply(s, bol_rep(T0, s1=fx.entry(orders=100, questions=20, norm=0.12)))
        s.commit()
        assert res.actions == []
        m = s.scalars(select(OutboxMessage)).one()
        assert m.template == "question_rate" and "0,200" in m.body and "0,120" in m.body


def test_ladder_restriction_has_reason_start_until_lifted_and_an_audit_trail(
    tmp_path: Path,
) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        fx.market(s, "bol", "bol", T0)
        fx.seller(s, "s1", "bol", T0)
        slow = fx.entry(fr=0.75)
        for week in (0, 1, 3):
            apply(s, bol_rep(T0 + timedelta(weeks=week), s1=slow))
        s.commit()
        acts = s.scalars(
            select(Action).where(Action.seller_id == "s1").order_by(Action.start_at)
        ).all()
        assert [(a.kind, a.start_at) for a in acts] == [
            ("notify", T0),
            ("educate", T0 + timedelta(weeks=1)),
            ("restrict_search", T0 + timedelta(weeks=3)),
        ]
        r = acts[-1]
        assert r.end_at is None and r.state == "active" and "first response 75% (15/20)" in r.reason
        assert r.findings and r.reason_code == "norms"
        assert [e.event for e in trail(s, subject="action", subject_id=r.id)] == ["started"]
        assert [a.id for a in in_force(s, T0 + timedelta(weeks=3), ["s1"])] == [r.id]
        assert in_force(s, T0 + timedelta(weeks=3) - timedelta(microseconds=1), ["s1"]) == []
        cap = capabilities(s, "s1", T0 + timedelta(weeks=4))
        assert cap.allowed["in_search"] is False and cap.allowed["accepts_orders"] is True
        assert cap.blocked_by["in_search"] == [r.id]
        # meeting the norms again lifts it, stamped with the evaluation's as-of
        res = apply(s, bol_rep(T0 + timedelta(weeks=5), s1=fx.entry(fr=0.97)))
        s.commit()
        s.refresh(r)
        assert (
            res.lifted == [r.id] and r.state == "lifted" and r.lifted_at == T0 + timedelta(weeks=5)
        )
        assert [e.event for e in trail(s, subject="action", subject_id=r.id)] == [
            "started",
            "lifted",
        ]
        assert capabilities(s, "s1", T0 + timedelta(weeks=5)).allowed["in_search"] is True
        assert (
            capabilities(s, "s1", T0 + timedelta(weeks=4)).allowed["in_search"] is False
        )  # the past stays as it was
        assert (
            s.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.template == "restriction_lifted")
            )
            == 1
        )


def test_suspension_reaches_linked_shops_and_lifting_it_lifts_them_too(tmp_path: Path) -> None:
    from servicenorm.enforce.actions import lift_action

    with fx.store(tmp_path) as sessions, sessions() as s:
        fx.market(s, "etsy", "etsy", T0)
        fx.seller(s, "main", "etsy", T0 - timedelta(days=30), linked=["second"])
        fx.seller(s, "second", "etsy", T0 - timedelta(days=30))
        fx.seller(s, "other", "etsy", T0 - timedelta(days=30))
        bad = fx.entry(fr=0.5, ship=0.5, reviews=3.5, cases=3, tenure=200)
        good = fx.entry(tenure=200)
        rep = lambda at: fx.report("etsy", at, 91, {"main": bad, "second": good, "other": good})  # noqa: E731
        for k in (0, 2, 4, 6, 8):
            apply(s, rep(T0 + timedelta(weeks=k)), ETSY)
        s.commit()
        kinds = {(a.seller_id, a.kind, a.origin) for a in s.scalars(select(Action)).all()}
        assert ("main", "suspend_trading", "ladder") in kinds and (
            "second",
            "suspend_trading",
            "linked",
        ) in kinds
        assert ("second", "pause_shop", "linked") not in kinds  # only the policy's kinds extend
        assert not any(x[0] == "other" for x in kinds)
        child = s.scalars(select(Action).where(Action.seller_id == "second")).one()
        assert capabilities(s, "second", T0 + timedelta(weeks=8)).allowed["can_sell"] is False
        mails = s.scalars(select(OutboxMessage).where(OutboxMessage.seller_id == "second")).all()
        # one e-mail: the statement of reasons is the notice of the restriction too
        assert [m.template for m in mails] == ["statement_of_reasons"]
        assert "main" in mails[0].body and "Maatregel:" in mails[0].body
        parent = s.get(Action, child.parent_id)
        assert parent is not None
        lift_action(
            s,
            parent.id,
            at=T0 + timedelta(weeks=9),
            by="op-1",
            reason="appeal granted",
            now=T0 + timedelta(weeks=9),
        )
        s.refresh(child)
        assert child.state == "lifted" and child.lifted_by == "op-1"


def test_a_new_shop_with_many_cases_is_given_notice_of_permanent_suspension_at_once(
    tmp_path: Path,
) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        fx.market(s, "etsy", "etsy", T0)
        fx.seller(s, "fresh", "etsy", T0 - timedelta(days=20))
        res = apply(
            s, fx.report("etsy", T0, 91, {"fresh": fx.entry(orders=20, cases=6, tenure=20)}), ETSY
        )
        s.commit()
        a = s.get(Action, res.actions[0])
        assert (
            a is not None
            and a.kind == "suspend_permanently"
            and a.origin == "new_shop"
            and a.end_at is None
        )
        # P2B Art. 4(2): decided and stated now, in effect after 30 days' notice
        assert a.stated_at == T0 and a.start_at == T0 + timedelta(days=30)
        assert all(capabilities(s, "fresh", T0 + timedelta(days=29)).allowed.values())
        effective = capabilities(s, "fresh", T0 + timedelta(days=30)).allowed
        assert effective == dict.fromkeys(effective, False)

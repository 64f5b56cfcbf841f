"""The ladder as a pure function: grace, prior contact, chained steps, new shops, lifting,
a new cycle after clean weeks, and never acting twice for the same evaluation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from servicenorm.enforce.ladder import LadderState, climb
from servicenorm.metrics.findings import Finding
from servicenorm.policy import load_preset

BOL = load_preset("bol").ladder
ETSY = load_preset("etsy").ladder
assert BOL is not None and ETSY is not None
T0 = datetime(2026, 3, 2, 6, tzinfo=UTC)


def fr(seller: str = "s1", value: float = 0.8) -> Finding:
    return Finding(
        seller, "first_response", value, 0.9, "below", ("2026-02-02", "2026-03-02"), T0.isoformat()
    )


def weekly() -> Finding:
    return Finding(
        "s1",
        "weekly_late",
        12,
        10,
        "at_least",
        ("2026-02-02", "2026-03-02"),
        T0.isoformat(),
        detail="2026-W09",
        in_score=False,
    )


def run(
    ladder: object, state: LadderState, found: list[Finding], at: datetime
) -> tuple[LadderState, list[str]]:
    c = climb(ladder, state, found, at)  # type: ignore[arg-type]
    return c.state, [s.action for s in c.steps]


def test_bol_notifies_then_educates_after_a_week_then_restricts_after_two_more_weeks() -> None:
    st, took = run(BOL, LadderState(), [fr()], T0)
    assert took == ["notify"]
    st, took = run(BOL, st, [fr()], T0 + timedelta(days=7) - timedelta(seconds=1))
    assert took == []  # one second before the grace has passed
    st2, took = run(BOL, st, [fr()], T0 + timedelta(days=7))
    assert took == ["educate"]
    st3, took = run(BOL, st2, [fr()], T0 + timedelta(days=21) - timedelta(seconds=1))
    assert took == []
    st4, took = run(BOL, st3, [fr()], T0 + timedelta(days=21))
    assert took == ["restrict_search"] and st4.level == 2


def test_the_same_evaluation_twice_and_an_older_one_change_nothing() -> None:
    st, _ = run(BOL, LadderState(), [fr()], T0)
    again = climb(BOL, st, [fr()], T0)  # type: ignore[arg-type]
    older = climb(BOL, st, [fr()], T0 - timedelta(days=7))  # type: ignore[arg-type]
    assert again.stale and again.steps == () and again.state == st
    assert older.stale and older.steps == ()


def test_findings_outside_the_ladders_norms_do_not_climb() -> None:
    st, took = run(BOL, LadderState(), [weekly()], T0)
    assert took == [] and st.level == -1


def test_etsy_sends_email_and_education_together_and_restricts_only_after_contact() -> None:
    hol = Finding("s1", "holistic", 0.9, 0.5, "at_least", ("a", "b"), "")
    st, took = run(ETSY, LadderState(), [hol], T0)
    assert took == ["notify", "educate"]
    st, took = run(ETSY, st, [hol], T0 + timedelta(days=14))
    assert took == ["restrict_search"]
    for step, action in enumerate(["pause_shop", "delay_payouts", "suspend_trading"], start=2):
        st, took = run(ETSY, st, [hol], T0 + timedelta(days=14 * step))
        assert took == [action]
    st, took = run(ETSY, st, [hol], T0 + timedelta(days=14 * 4 + 29))
    assert took == []
    st, took = run(ETSY, st, [hol], T0 + timedelta(days=14 * 4 + 30))
    assert took == ["suspend_permanently"]
    st, took = run(ETSY, st, [hol], T0 + timedelta(days=400))
    assert took == []  # nothing follows a permanent suspension


def test_a_step_that_requires_contact_waits_for_contact_in_an_earlier_evaluation() -> None:
    from servicenorm.policy.schema import Ladder, LadderStep

    ladder = Ladder(steps=[LadderStep(action="pause_shop", requires_contact=True)])
    _, took = run(ladder, LadderState(), [fr()], T0)
    assert took == []
    ladder2 = Ladder(
        steps=[LadderStep(action="notify"), LadderStep(action="pause_shop", requires_contact=True)]
    )
    st, took = run(ladder2, LadderState(), [fr()], T0)
    assert took == ["notify"]  # contacted now, not before: the restriction waits
    _, took = run(ladder2, st, [fr()], T0 + timedelta(days=1))
    assert took == ["pause_shop"]


def test_an_operators_contact_counts_for_a_step_that_requires_contact() -> None:
    from servicenorm.enforce.ladder import contacted
    from servicenorm.enforce.machine import SellerState, contact
    from servicenorm.policy.schema import Ladder, LadderStep

    ladder = Ladder(steps=[LadderStep(action="pause_shop", requires_contact=True)])
    st = contact(SellerState(), T0 - timedelta(days=1)).ladder  # the workbench's e-mail
    assert st.contacted_at == T0 - timedelta(days=1)
    assert contacted(st, T0).contacted_at == T0 - timedelta(days=1)  # the first one stands
    _, took = run(ladder, st, [fr()], T0)
    assert took == ["pause_shop"]
    _, took = run(ladder, contacted(LadderState(), T0), [fr()], T0)
    assert took == []  # contacted at the evaluation's own instant: not before it


def test_a_new_shop_with_many_complaints_is_suspended_at_once() -> None:
    ns = Finding("s1", "new_shop_complaints", 7, 5, "at_least", ("a", "b"), "")
    c = climb(ETSY, LadderState(), [ns], T0, new_shop=ns)  # type: ignore[arg-type]
    assert [s.action for s in c.steps] == ["suspend_permanently"] and c.steps[
        0
    ].origin == "new_shop"
    assert c.steps[0].end is None


def test_meeting_the_norms_lifts_and_four_clean_weeks_start_a_new_cycle() -> None:
    st, _ = run(BOL, LadderState(), [fr()], T0)
    c = climb(BOL, st, [], T0 + timedelta(days=7))  # type: ignore[arg-type]
    assert c.lift and not c.reset and c.state.level == 0
    c2 = climb(BOL, c.state, [], T0 + timedelta(days=28) - timedelta(seconds=1))  # type: ignore[arg-type]
    assert not c2.reset
    c3 = climb(BOL, c.state, [], T0 + timedelta(days=28))  # type: ignore[arg-type]
    assert (
        c3.reset and c3.state.level == -1 and c3.state.cycle == 1 and c3.state.contacted_at is None
    )
    st, took = run(BOL, c3.state, [fr()], T0 + timedelta(days=35))
    assert took == ["notify"] and st.cycle == 1


def test_a_restriction_with_a_duration_ends_and_one_without_lasts_until_lifted() -> None:
    from servicenorm.policy.schema import Ladder, LadderStep

    ladder = Ladder(
        steps=[
            LadderStep(action="delay_payouts", duration_days=30),
            LadderStep(action="restrict_search"),
        ]
    )
    c = climb(ladder, LadderState(), [fr()], T0)  # type: ignore[arg-type]
    assert [(s.action, s.end) for s in c.steps] == [
        ("delay_payouts", T0 + timedelta(days=30)),
        ("restrict_search", None),
    ]

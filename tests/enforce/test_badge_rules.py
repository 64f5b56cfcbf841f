"""Star Seller criteria and every removal reason and reinstatement path of Etsy's Star Seller rules
(pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from servicenorm.enforce.badge_rules import (
    BadgeState,
    Blockers,
    check_criteria,
    evaluate,
    recheck,
    remove_for,
)
from servicenorm.policy import load_preset
from tests.enforce.factories import entry

SPEC = load_preset("etsy").badge
assert SPEC is not None
T0 = datetime(2026, 2, 1, 6, tzinfo=UTC)
MONTH = timedelta(days=30)
GOOD = check_criteria(entry(fr=0.97, track=0.96, reviews=4.9, orders=12), Decimal("480"), SPEC)
BAD = check_criteria(entry(fr=0.97, track=0.90, reviews=4.9, orders=12), Decimal("480"), SPEC)


@pytest.mark.parametrize(
    ("kw", "sales", "failed"),
    [
        ({}, "300", ()),
        ({"fr": 0.9499}, "300", ("first_response",)),
        ({"fr": None}, "300", ()),  # no messages: counts as met (preset)
        ({"track": 0.9499}, "300", ("shipping",)),
        ({"track": None}, "300", ("shipping",)),
        ({"reviews": 4.79}, "300", ("reviews",)),
        ({"reviews": None}, "300", ("reviews",)),
        ({"orders": 4}, "300", ("orders",)),
        ({}, "299.99", ("sales",)),
    ],
)
def test_criteria_pin_each_threshold(
    kw: dict[str, object], sales: str, failed: tuple[str, ...]
) -> None:
    base: dict[str, object] = {"fr": 0.95, "track": 0.95, "reviews": 4.8, "orders": 5}
    check = check_criteria(entry(**{**base, **kw}), Decimal(sales), SPEC)  # type: ignore[arg-type]
    assert check.failed == failed and check.met == (not failed)


def test_award_then_remove_for_criteria_then_earn_it_back() -> None:
    t = evaluate(BadgeState(), GOOD, Blockers(), T0)
    assert t.event == "awarded" and t.state.status == "awarded"
    t = evaluate(t.state, BAD, Blockers(), T0 + MONTH)
    assert (t.event, t.reason) == ("removed", "criteria")
    t = evaluate(t.state, GOOD, Blockers(), T0 + 2 * MONTH)
    assert t.event == "reinstated" and t.state.status == "awarded"


def test_the_same_evaluation_twice_is_stale() -> None:
    t = evaluate(BadgeState(), GOOD, Blockers(), T0)
    assert evaluate(t.state, GOOD, Blockers(), T0).stale


def test_unpaid_bill_removes_and_paying_gives_it_back_at_once() -> None:
    st = evaluate(BadgeState(), GOOD, Blockers(), T0).state
    t = recheck(st, Blockers(unpaid_bill=True), T0 + timedelta(days=3))
    assert (t.event, t.reason) == ("removed", "unpaid_bill")
    assert recheck(t.state, Blockers(unpaid_bill=True), T0 + timedelta(days=4)).event is None
    back = recheck(t.state, Blockers(), T0 + timedelta(days=5))
    assert back.event == "reinstated" and back.reason == "unpaid_bill"


def test_unpaid_bill_at_evaluation_blocks_the_award() -> None:
    t = evaluate(BadgeState(), GOOD, Blockers(unpaid_bill=True), T0)
    assert t.event is None and t.state.status == "none"


def test_restricted_without_length_comes_back_when_restored_if_the_criteria_hold() -> None:
    st = evaluate(BadgeState(), GOOD, Blockers(), T0).state
    t = recheck(st, Blockers(restricted=True), T0 + timedelta(days=2))
    assert (t.event, t.reason, t.state.pause_until) == ("removed", "account_restricted", None)
    back = recheck(t.state, Blockers(), T0 + timedelta(days=9))
    assert back.event == "reinstated"
    # if the last evaluation did not meet the criteria, restoration alone is not enough
    failing = evaluate(t.state, BAD, Blockers(restricted=True), T0 + MONTH).state
    assert recheck(failing, Blockers(), T0 + MONTH + timedelta(days=1)).event is None


def test_restricted_for_a_stated_time_returns_at_the_first_evaluation_after_it() -> None:
    st = evaluate(BadgeState(), GOOD, Blockers(), T0).state
    until = T0 + timedelta(days=40)
    t = recheck(st, Blockers(restricted=True, restricted_until=until), T0 + timedelta(days=10))
    assert t.state.pause_until == until
    assert (
        recheck(t.state, Blockers(), until + timedelta(days=1)).event is None
    )  # not on restoration
    assert evaluate(t.state, GOOD, Blockers(), until - timedelta(seconds=1)).event is None
    assert evaluate(t.state, GOOD, Blockers(), until).event == "reinstated"


def test_removed_for_90_days_requalifies_at_the_first_evaluation_after_the_90_days() -> None:
    st = evaluate(BadgeState(), GOOD, Blockers(), T0).state
    t = remove_for(st, "terms_violation", T0 + timedelta(days=1), 90, permanent=False)
    assert t.event == "removed" and t.state.pause_until == T0 + timedelta(days=91)
    for month in (1, 2, 3):
        assert evaluate(t.state, GOOD, Blockers(), T0 + month * MONTH).event is None
    assert evaluate(t.state, GOOD, Blockers(), T0 + timedelta(days=91)).event == "reinstated"


def test_permanent_exclusion_never_returns() -> None:
    st = evaluate(BadgeState(), GOOD, Blockers(), T0).state
    t = remove_for(st, "manipulation", T0 + timedelta(days=1), None, permanent=True)
    assert t.event == "removed" and t.state.excluded
    later = t.state
    for k in range(1, 24):
        r = evaluate(later, GOOD, Blockers(), T0 + k * MONTH)
        assert r.event is None
        later = r.state
    assert recheck(later, Blockers(), T0 + 30 * MONTH).event is None


def test_excluding_a_shop_without_the_badge_keeps_it_from_ever_getting_one() -> None:
    t = remove_for(BadgeState(), "manipulation", T0, None, permanent=True)
    assert t.event == "excluded" and t.state.status == "none"
    assert evaluate(t.state, GOOD, Blockers(), T0 + MONTH).event is None

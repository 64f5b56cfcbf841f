"""Every norm at its exact boundary, one unit below, at and above: the registry, the findings,
the performance score, the page's rows and the badge criteria give the same answer."""

from __future__ import annotations

import copy
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from servicenorm.enforce.badge_rules import check_criteria
from servicenorm.enforce.performance import performance
from servicenorm.metrics.findings import findings
from servicenorm.norms import NORMS, Norm, norms_for
from servicenorm.norms.display import texts
from servicenorm.policy import Policy, load_preset
from servicenorm.policy.schema import ShippingNorm
from servicenorm.web.pages.norms import seller_norms

WEEK = "2026-W10"


def _rate(good: int, total: int) -> float | None:
    return round(good / total, 4) if total else None


def entry() -> dict[str, Any]:
    """A seller meeting every norm of every preset, in the contract's shape."""
    return {
        "first_response": {"on_time": 100, "late": 0, "pending": 0, "rate": 1.0},
        "message_response": {"on_time": 100, "late": 0, "pending": 0, "rate": 1.0},
        "weekly_late": {"2026-W09": 0, WEEK: 0},
        "phone": {"attempts": 100, "answered": 100, "rate": 1.0},
        "question_rate": {"orders": 1000, "questions": 10, "rate": 0.01, "norm": 0.1},
        "shipping": {
            "on_time": 100,
            "late": 0,
            "pending": 0,
            "on_time_with_tracking": 100,
            "rate_on_time": 1.0,
            "rate_on_time_with_tracking": 1.0,
        },
        "reviews": {"count": 40, "average": 5.0},
    }


def set_rate(e: dict[str, Any], n: Norm, good: int, total: int) -> None:
    if n.metric in ("first_response", "message_response"):
        e[n.metric].update(on_time=good, late=total - good, rate=_rate(good, total))
    elif n.metric == "phone":
        e["phone"].update(attempts=total, answered=good, rate=_rate(good, total))
    elif n.slug == "shipping_on_time":
        e["shipping"].update(on_time=good, late=total - good, rate_on_time=_rate(good, total))
        e["shipping"].update(on_time_with_tracking=good)
        e["shipping"]["rate_on_time_with_tracking"] = _rate(good, total)
    else:  # every order on time, `good` of them with tracking
        e["shipping"].update(on_time=total, late=0, rate_on_time=1.0)
        e["shipping"].update(
            on_time_with_tracking=good, rate_on_time_with_tracking=_rate(good, total)
        )


def policy_with(n: Norm) -> Policy:
    for name in ("bol", "etsy", "swopify", "ebay"):
        p = load_preset(name)
        if n.applies(p):
            return p
    return load_preset("bol").model_copy(update={"shipping": ShippingNorm(target_on_time=0.9)})


def at_boundary(n: Norm, p: Policy, step: int) -> dict[str, Any]:
    """The entry whose figure for `n` is the threshold moved `step` units (an item, a question,
    a hundredth of a star) in the direction of a higher value."""
    e = entry()
    t = n.threshold(p, e)
    assert t is not None
    if n.kind == "rate":
        total = 100 * t.denominator
        good = int(t * total) + step
        set_rate(e, n, good, total)
    elif n.kind == "count":
        e["weekly_late"][WEEK] = int(t) + step
    elif n.kind == "ratio":
        orders = e["question_rate"]["orders"]
        questions = int(t * orders) + step
        e["question_rate"].update(questions=questions, rate=_rate(questions, orders))
    else:
        e["reviews"]["average"] = float(t + Fraction(step, 100))
    return e


def report(e: dict[str, Any], p: Policy) -> dict[str, Any]:
    return {
        "preset": p.name,
        "as_of": "2026-03-06T12:00:00+01:00",
        "window": {"from": "2026-02-06", "to": "2026-03-06"},
        "sellers": {"s1": e},
    }


EXPECTED = {  # step -> met, for each comparison
    "at_least": {-1: False, 0: True, 1: True},
    "at_most": {-1: True, 0: True, 1: False},
    "below": {-1: True, 0: False, 1: False},
}


@pytest.mark.parametrize("step", [-1, 0, 1])
@pytest.mark.parametrize("slug", list(NORMS))
def test_every_reader_agrees_at_the_boundary(slug: str, step: int) -> None:
    n = NORMS[slug]
    p = policy_with(n)
    e = at_boundary(n, p, step)
    met = EXPECTED[n.comparison][step]
    detail = WEEK if n.weekly else ""
    r = n.evaluate(p, e, detail)
    assert r is not None and r.met is met
    # findings
    found = [f for f in findings(report(e, p), p) if f.norm == slug and f.detail == detail]
    assert bool(found) is (not met)
    # the performance score's lines (weekly norms are listed per week, outside the score)
    page = performance(e, p)
    if n.weekly:
        week = next(w for w in page["weekly_late"] if w["week"] == WEEK)
        assert week["alert"] is (not met)
    else:
        line = next(x for x in page["norms"] if x["norm"] == slug)
        assert line["met"] is met
        in_score = [x for x in page["norms"] if x["in_score"] and x["met"] is not None]
        if line["in_score"]:
            assert page["score"] == round(sum(x["met"] for x in in_score) / len(in_score), 4)
    # the page's rows
    row = next(x for x in seller_norms(p, e, current_week=WEEK) if x.norm == slug)
    assert (row.status == "below") is (not met)
    # the written figures: a missed norm never reads as equal to its threshold
    value, threshold = texts(r)
    assert (value == threshold) is (step == 0)


@pytest.mark.parametrize("step", [-1, 0, 1])
@pytest.mark.parametrize("slug", [s for s, n in NORMS.items() if n.badge is not None])
def test_badge_criteria_use_the_norms_figure_and_comparison(slug: str, step: int) -> None:
    spec = load_preset("etsy").badge
    assert spec is not None
    n = NORMS[slug]
    assert n.badge is not None
    name, least = n.badge
    # the norm's boundary moved to the badge's threshold
    p = load_preset("etsy")
    t = Fraction(str(least(spec)))
    e = entry()
    if n.kind == "rate":
        total = 100 * t.denominator
        set_rate(e, n, int(t * total) + step, total)
    else:
        e["reviews"]["average"] = float(t + Fraction(step, 100))
    check = check_criteria(e, Decimal(spec.min_sales) + 1, spec)
    assert (name in check.failed) is (step < 0)
    r = n.judge(n.figure(e, "") or pytest.fail("no figure"), t, p)
    assert r.met is (step >= 0)


def test_question_rate_equal_to_the_norm_is_met_everywhere() -> None:
    """The issue's case: 0.1235 questions per order against a norm of 0.1235."""
    p = load_preset("bol")
    e = copy.deepcopy(entry())
    e["question_rate"].update(orders=10_000, questions=1235, rate=0.1235, norm=0.1235)
    n = NORMS["question_rate"]
    r = n.evaluate(p, e)
    assert r is not None and r.met is True
    assert not [f for f in findings(report(e, p), p) if f.norm == "question_rate"]
    line = next(x for x in performance(e, p)["norms"] if x["norm"] == "question_rate")
    assert line["met"] is True
    row = next(x for x in seller_norms(p, e, current_week=WEEK) if x.norm == "question_rate")
    assert row.status == "meets"
    e["question_rate"].update(questions=1236, rate=0.1236)
    r = n.evaluate(p, e)
    assert r is not None and r.met is False
    assert texts(r) == ("0.124", "0.1235") or texts(r)[0] != texts(r)[1]


def test_a_figure_below_the_norm_is_written_visibly_below() -> None:
    p = load_preset("bol")
    e = entry()
    e["first_response"].update(on_time=350, late=39, rate=0.8997)
    r = NORMS["first_response"].evaluate(p, e)
    assert r is not None and r.met is False
    assert texts(r, counts=True) == ("89.97% (350/389)", "90%")
    assert texts(r, point=",", percent="{value} %") == ("89,97 %", "90 %")
    e["first_response"].update(on_time=89_997, late=10_003, rate=0.9)  # the contract rounds up
    r = NORMS["first_response"].evaluate(p, e)
    assert r is not None and r.met is False
    assert texts(r) == ("89.997%", "90%")
    e["first_response"].update(on_time=351, late=39, rate=0.9)
    r = NORMS["first_response"].evaluate(p, e)
    assert r is not None and r.met is True and texts(r) == ("90%", "90%")
    f = next(
        x
        for x in findings(
            report(
                entry()
                | {"first_response": {"on_time": 350, "late": 39, "pending": 0, "rate": 0.8997}},
                p,
            ),
            p,
        )
    )
    assert f.describe() == "first response 89.97% (350/389), below the norm 90%"


def test_each_preset_lists_its_norms_from_the_registry() -> None:
    assert [n.slug for n in norms_for(load_preset("bol"))] == [
        "first_response",
        "weekly_late",
        "phone",
        "question_rate",
    ]
    assert next(n.slug for n in norms_for(load_preset("swopify"))) == "message_response"


def test_a_finding_read_back_from_the_store_is_described_by_the_registry() -> None:
    """A stored finding keeps value and threshold as floats: its reason is still the registry's,
    with the digits that keep the value visibly below."""
    from servicenorm.metrics.findings import Finding

    window = ("2026-02-06", "2026-03-06")
    stored = Finding("s1", "first_response", 350 / 389, 0.9, "below", window, "x")
    assert stored.describe() == "first response 89.97%, below the norm 90%"
    weekly = Finding("s1", "weekly_late", 12.0, 10.0, "at_least", window, "x", detail="2026-W09")
    assert (
        weekly.describe() == "12 questions without a timely first reply in 2026-W09 (alert at 10)"
    )

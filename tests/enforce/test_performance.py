"""bol's performance page data: the score counts the response and phone norms, not the
question rate, which is shown against the personal norm."""

from __future__ import annotations

from servicenorm.enforce.performance import performance
from servicenorm.policy import load_preset
from tests.enforce import factories as fx


def test_bol_score_leaves_the_question_rate_out() -> None:
    page = performance(
        fx.entry(
            fr=0.95,
            phone=0.85,
            orders=100,
            questions=30,
            norm=0.1,
            weekly={"2026-W09": 10, "2026-W10": 9},
        ),
        load_preset("bol"),
    )
    lines = {x["norm"]: x for x in page["norms"]}
    assert lines["first_response"]["met"] is True and lines["phone"]["met"] is False
    assert lines["question_rate"] == {
        "norm": "question_rate",
        "value": 0.3,
        "threshold": 0.1,
        "comparison": "at_most",
        "met": False,
        "in_score": False,
    }
    assert page["score"] == 0.5
    assert page["weekly_late"] == [
        {"week": "2026-W09", "late": 10, "alert": True},
        {"week": "2026-W10", "late": 9, "alert": False},
    ]


def test_a_norm_without_a_figure_is_not_counted() -> None:
    page = performance(fx.entry(fr=None, phone=None), load_preset("bol"))
    assert page["score"] is None
    etsy = performance(fx.entry(fr=0.99, track=0.9, reviews=4.9), load_preset("etsy"))
    assert {x["norm"]: x["met"] for x in etsy["norms"]} == {
        "first_response": True,
        "shipping_on_time_with_tracking": False,
        "reviews": True,
    }
    assert etsy["weekly_late"] is None

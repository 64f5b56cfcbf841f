""" "At risk", defined once in the registry (issue 14, defect 9): met, with enough items, and
either the next bad item takes it below or it is within a quarter of the way from the
threshold to the best value. Never from a handful of items or from open items alone."""

from __future__ import annotations

from typing import Any

import pytest

from servicenorm.norms import NORMS, Status
from servicenorm.policy import load_preset

BOL, ETSY = load_preset("bol"), load_preset("etsy")


def _phone(answered: int, attempts: int) -> dict[str, Any]:
    return {"phone": {"attempts": attempts, "answered": answered, "rate": None}}


@pytest.mark.parametrize(
    ("answered", "attempts", "status"),
    [
        (3, 3, "meets"),  # "Calls 100 % - at risk" with 3 calls: not any more
        (9, 9, "meets"),  # under 10 calls: one call moves the figure too far to mean anything
        (9, 10, "at_risk"),  # exactly 90 % of 10: the next missed call is below
        (28, 30, "meets"),  # 93.3 %: 28/31 = 90.3 % after a miss, and above 92.5 %
        (95, 100, "meets"),  # 95 %: misses to spare and well above 92.5 %
        (92, 100, "at_risk"),  # 92 %: within a quarter of the headroom
        (89, 100, "below"),
        (0, 0, "no_data"),
    ],
)
def test_phone_risk(answered: int, attempts: int, status: Status) -> None:
    r = NORMS["phone"].evaluate(BOL, _phone(answered, attempts))
    assert r is not None and r.status == status


@pytest.mark.parametrize(
    ("late", "status"), [(0, "meets"), (7, "meets"), (8, "at_risk"), (9, "at_risk"), (10, "below")]
)
def test_weekly_alert_risk(late: int, status: Status) -> None:
    r = NORMS["weekly_late"].evaluate(BOL, {"weekly_late": {"2026-W10": late}}, "2026-W10")
    assert r is not None and r.status == status


@pytest.mark.parametrize(
    ("average", "count", "status"),
    [
        (4.9, 5, "meets"),  # 5 reviews: never at risk
        (4.9, 40, "meets"),  # 40 x 4.9 + 1 = 197 / 41 = 4.80: still met after a one-star review
        (4.84, 40, "at_risk"),  # within a quarter of 4.8..5
        (4.82, 400, "at_risk"),
        (4.79, 40, "below"),
    ],
)
def test_review_risk(average: float, count: int, status: Status) -> None:
    r = NORMS["reviews"].evaluate(ETSY, {"reviews": {"count": count, "average": average}})
    assert r is not None and r.status == status


def test_a_norm_without_risk_is_never_at_risk() -> None:
    q = {"question_rate": {"orders": 1000, "questions": 100, "rate": 0.1, "norm": 0.1}}
    r = NORMS["question_rate"].evaluate(BOL, q)
    assert r is not None and r.met is True and r.status == "meets"

"""The demo marketplace behaves like one: rhythms, holidays, and each seller profile's pattern.

The thresholds are loose on purpose (the data are random) but each would fail if the pattern
were missing: they compare profiles with each other, not with exact figures.
"""

from __future__ import annotations

import csv
import functools
import tempfile
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from servicenorm.demo import generate
from servicenorm.policy import load_preset

START = date(2026, 4, 1)  # Easter Monday 6 April, King's Day 27 April, 1 and 5 May
DAYS = 35


class Run:
    def __init__(self, out: Path) -> None:
        path = generate(sellers=30, days=DAYS, out=out, preset="bol", seed=11, start=START)
        self.events = [orjson.loads(line) for line in path.read_bytes().splitlines()]
        with (out / "sellers.csv").open(encoding="utf-8") as f:
            self.sellers = {r["seller"]: r for r in csv.DictReader(f)}
        self.by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for e in self.events:
            self.by_type[e["type"]].append(e)
        self.questions = {e["conversation"]: e for e in self.by_type["question_opened"]}
        self.orders = {e["order"]: e for e in self.by_type["order_placed"]}

    def profile(self, seller: str) -> str:
        return self.sellers[seller]["profile"]

    def sellers_with(self, profile: str) -> list[str]:
        return [s for s, r in self.sellers.items() if r["profile"] == profile]


pytestmark = pytest.mark.xdist_group("demo-behaviour")  # one worker builds the module's run


@functools.cache
def _run() -> Run:  # once per process, even when xdist interleaves other modules' tests
    return Run(Path(tempfile.mkdtemp(prefix="servicenorm-demo-")))


@pytest.fixture
def run() -> Run:
    return _run()


def t(s: str) -> datetime:
    return datetime.fromisoformat(s)


def test_the_benchmark_shape_a_quarter_questions_half_messages(run: Run) -> None:
    n = len(run.events)
    assert 0.2 < len(run.by_type["question_opened"]) / n < 0.3
    assert 0.45 < len(run.by_type["message_sent"]) / n < 0.56


def test_questions_peak_in_working_hours_and_rest_on_weekends_and_holidays(run: Run) -> None:
    per_day: Counter[date] = Counter()
    office = 0
    for e in run.by_type["question_opened"]:
        when = t(e["at"])
        per_day[when.date()] += 1
        office += when.weekday() < 5 and 9 <= when.hour < 17
    assert office / len(run.questions) > 0.45  # 8 of 168 weekly hours hold almost half
    weekdays = [
        per_day[d]
        for d in per_day
        if d.weekday() < 5 and d not in {date(2026, 4, 6), date(2026, 4, 27), date(2026, 5, 5)}
    ]
    sundays = [per_day[d] for d in per_day if d.weekday() == 6]
    assert max(sundays) < min(weekdays)
    assert per_day[date(2026, 4, 6)] < 0.75 * sum(weekdays) / len(weekdays)  # Easter Monday


def first_replies(run: Run) -> dict[str, datetime]:
    first: dict[str, datetime] = {}
    for e in run.by_type["message_sent"]:
        if e["author"] in ("seller", "staff") and not e.get("automated", False):
            first.setdefault(e["conversation"], t(e["at"]))
    return first


def test_first_response_follows_the_profiles(run: Run) -> None:
    policy = load_preset("bol")
    first = first_replies(run)
    end = datetime.combine(
        START + timedelta(days=DAYS),
        datetime.min.time(),
        tzinfo=policy.response_calendar("NL").zone,
    )
    on_time: dict[str, list[bool]] = defaultdict(list)
    for conv, q in run.questions.items():
        cal = policy.response_calendar(run.sellers[q["seller"]]["country"])
        deadline = cal.deadline(t(q["at"]), policy.response.allowance)
        if deadline < end:
            on_time[run.profile(q["seller"])].append(conv in first and first[conv] <= deadline)
    rate = {p: sum(v) / len(v) for p, v in on_time.items()}
    assert rate["excellent"] > 0.97
    assert 0.85 < rate["average"] < 0.97
    assert rate["slow"] < 0.75
    assert rate["overwhelmed"] < rate["average"]


def test_replies_come_after_the_question_and_staff_answer_for_some(run: Run) -> None:
    authors = Counter(e["author"] for e in run.by_type["message_sent"])
    assert {"buyer", "seller", "staff", "agent", "system"} <= set(authors)
    for e in run.by_type["message_sent"]:
        assert t(e["at"]) > t(run.questions[e["conversation"]]["at"])
        if e["author"] == "system":
            assert e["automated"] is True
    assert Counter(q["origin"] for q in run.questions.values())["platform_forward"] > 0


def test_buyers_come_back_with_follow_up_turns(run: Run) -> None:
    replied: set[str] = set()
    follow_ups = 0
    for e in run.by_type["message_sent"]:
        if e["author"] in ("seller", "staff"):
            replied.add(e["conversation"])
        elif e["author"] == "buyer" and e["conversation"] in replied:
            follow_ups += 1
    assert follow_ups > 0.2 * len(replied)


def test_the_canned_seller_sends_the_same_text_within_minutes(run: Run) -> None:
    seller = run.sellers_with("canned")[0]
    bodies: Counter[str] = Counter()
    fast = 0
    for e in run.by_type["message_sent"]:
        q = run.questions[e["conversation"]]
        if q["seller"] == seller and e["author"] == "seller":
            bodies[e["body"]] += 1
            fast += (t(e["at"]) - t(q["at"])).total_seconds() < 180
    canned = sum(n for n in bodies.values() if n >= 10)  # one text per language it answers in
    assert canned > 0.4 * sum(bodies.values())
    assert fast >= canned * 0.9


def test_the_early_shipper_marks_orders_shipped_days_before_the_scan(run: Run) -> None:
    shipped = {e["order"]: t(e["at"]) for e in run.by_type["order_shipped"]}
    gaps: dict[str, list[bool]] = defaultdict(list)
    for e in run.by_type["carrier_scan"]:
        gap = (t(e["at"]) - shipped[e["order"]]).total_seconds()
        gaps[run.profile(run.orders[e["order"]]["seller"])].append(gap > 24 * 3600)
    assert sum(gaps["early_shipper"]) / len(gaps["early_shipper"]) > 0.5
    assert sum(gaps["excellent"]) / len(gaps["excellent"]) < 0.05


def test_the_vacation_seller_closes_takes_no_orders_and_announced_it(run: Run) -> None:
    seller = run.sellers_with("vacation")[0]
    closed = [t(e["at"]) for e in run.by_type["shop_closed"] if e["seller"] == seller]
    reopened = [t(e["at"]) for e in run.by_type["shop_reopened"] if e["seller"] == seller]
    assert len(closed) == len(reopened) == 1 and closed[0] < reopened[0]
    during = [
        o
        for o in run.orders.values()
        if o["seller"] == seller and closed[0] <= t(o["at"]) < reopened[0]
    ]
    assert during == []
    notice = [e for e in run.by_type["absence_announced"] if e["seller"] == seller]
    assert notice and date.fromisoformat(notice[0]["start"]) > closed[0].date()
    assert date.fromisoformat(notice[0]["end"]) < reopened[0].date()
    auto = [
        e for e in run.by_type["message_sent"] if e.get("automated") and e["author"] == "seller"
    ]
    assert auto and all(
        run.profile(run.questions[e["conversation"]]["seller"]) == "vacation" for e in auto
    )


def test_the_overwhelmed_seller_has_an_order_surge_at_the_end(run: Run) -> None:
    seller = run.sellers_with("overwhelmed")[0]
    last_week = START + timedelta(days=DAYS - 7)
    days = [t(o["at"]).date() for o in run.orders.values() if o["seller"] == seller]
    recent = sum(d >= last_week for d in days)
    before = (len(days) - recent) / (DAYS - 7) * 7
    assert recent > 2 * before


def tracking_kind(shipped: dict[str, Any]) -> str:
    if "tracking" not in shipped:
        return "missing"
    return "code" if shipped["tracking"] else "empty"


def test_shipping_with_and_without_tracking_and_cancellations(run: Run) -> None:
    tracking = Counter(tracking_kind(e) for e in run.by_type["order_shipped"])
    assert tracking["code"] > 0.8 * sum(tracking.values())
    assert tracking["missing"] > 0 and tracking["empty"] > 0
    shipped = {e["order"] for e in run.by_type["order_shipped"]}
    assert all(e["order"] not in shipped for e in run.by_type["order_cancelled"])
    assert len({o["category"] for o in run.orders.values()}) >= 8


def test_calls_are_answered_more_often_by_good_sellers_and_some_widen_phone_hours(run: Run) -> None:
    answered: dict[str, list[bool]] = defaultdict(list)
    for e in run.by_type["call_attempt"]:
        answered[run.profile(e["seller"])].append(e["answered"])
    rate = {p: sum(v) / len(v) for p, v in answered.items()}
    assert rate["excellent"] > rate["slow"] + 0.15
    assert run.by_type["phone_hours_set"]


def test_reviews_and_cases_reflect_service(run: Run) -> None:
    ratings: dict[str, list[int]] = defaultdict(list)
    for e in run.by_type["review_posted"]:
        ratings[run.profile(run.orders[e["order"]]["seller"])].append(e["rating"])
    mean = {p: sum(v) / len(v) for p, v in ratings.items()}
    assert mean["excellent"] > mean["slow"] + 0.5
    assert {e["kind"] for e in run.by_type["case_opened"]} >= {"not_received", "return"}
    assert {e["resolution"] for e in run.by_type["case_closed"]} == {"seller", "platform"}


def test_messages_in_the_markets_languages_with_a_few_off_platform_contacts(run: Run) -> None:
    bodies = [e["body"] for e in run.by_type["message_sent"]] + [
        q["body"] for q in run.questions.values()
    ]
    text = "\n".join(bodies)
    assert "bestelling" in text and "commande" in text  # Dutch, and French from Belgian sellers
    contact = [
        b
        for b in bodies
        if "06-12345678" in b or "@" in b or "www." in b or "WhatsApp" in b or "06 " in b
    ]
    assert 0 < len(contact) < 0.02 * len(bodies)

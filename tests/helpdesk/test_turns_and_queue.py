"""Pure rules: which buyer messages are answered, and the queue state at the boundaries."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from servicenorm.helpdesk.queue import classify
from servicenorm.helpdesk.turns import PlainTurnMessage, settle
from servicenorm.policy import load_preset

AMS = ZoneInfo("Europe/Amsterdam")


def t(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=AMS)


def m(id: str, author: str, at: datetime, automated: bool = False) -> PlainTurnMessage:
    return PlainTurnMessage(
        id, author, at, automated, at + timedelta(hours=8) if author == "buyer" else None
    )


def test_a_reply_answers_every_earlier_buyer_message_and_the_turn_keeps_its_first_clock() -> None:
    st = settle(
        [
            m("q1", "buyer", t(2, 10)),
            m("q2", "buyer", t(2, 11)),
            m("r", "staff", t(2, 12)),
            m("q3", "buyer", t(2, 13)),
            m("q4", "buyer", t(2, 14)),
        ]
    )
    assert st.answered_at == {"q1": t(2, 12), "q2": t(2, 12), "q3": None, "q4": None}
    assert (st.awaiting_since, st.deadline, st.first_reply_at) == (t(2, 13), t(2, 21), t(2, 12))


def test_automated_and_system_messages_are_not_replies() -> None:
    st = settle(
        [
            m("q", "buyer", t(2, 10)),
            m("s", "system", t(2, 11), True),
            m("a", "seller", t(2, 12), True),
        ]
    )
    assert st.answered_at == {"q": None} and st.awaiting_since == t(2, 10)


def test_order_of_arrival_does_not_matter() -> None:
    msgs = [m("q", "buyer", t(2, 10)), m("r", "seller", t(2, 12)), m("q2", "buyer", t(2, 11))]
    assert settle(msgs) == settle(list(reversed(msgs)))
    assert settle(msgs).deadline is None


def test_queue_state_one_second_before_at_and_after_the_deadline() -> None:
    policy = load_preset("bol")
    cal, allowance = policy.response_calendar("NL"), policy.response.allowance
    deadline = t(3, 15)  # a Tuesday afternoon, inside opening hours
    before, at, after = (
        classify([deadline], deadline + timedelta(seconds=s), cal, allowance)[0] for s in (-1, 0, 1)
    )
    assert before == (timedelta(seconds=1), timedelta(0), "due_soon")
    assert at == (timedelta(0), timedelta(0), "due_soon")
    assert after == (timedelta(0), timedelta(seconds=1), "overdue")


def test_due_soon_starts_when_a_quarter_of_the_allowance_is_left() -> None:
    policy = load_preset("bol")
    cal, allowance = policy.response_calendar("NL"), policy.response.allowance
    deadline = t(3, 15)
    two_hours_before = t(3, 13)
    assert classify([deadline], two_hours_before, cal, allowance)[0][2] == "due_soon"
    assert (
        classify([deadline], two_hours_before - timedelta(seconds=1), cal, allowance)[0][2] == "ok"
    )
    # over a night: Monday 16:30 to Tuesday 10:00 is 1.5 working hours -> due soon
    assert classify([t(3, 10)], t(2, 16, 30), cal, allowance)[0][:2] == (
        timedelta(hours=1, minutes=30),
        timedelta(0),
    )

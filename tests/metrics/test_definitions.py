"""Each metric definition at its edges (contract report.md, docs/metrics.md)."""

from __future__ import annotations

from servicenorm.metrics import REGISTRY
from tests.metrics.builders import ev, evaluate, message, question, seller


def fr(rep: dict, s: str = "s1") -> tuple[int, int, int]:
    m = rep["sellers"][s]["first_response"]
    return m["on_time"], m["late"], m["pending"]


# Monday 2026-03-02 09:00 + 8 working hours (bol, Mon-Fri 09-17) -> deadline Tuesday 09:00:00.
Q_AT = "2026-03-02T09:00:00+01:00"


def test_reply_exactly_at_deadline_is_on_time_one_second_later_is_late() -> None:
    rep, _ = evaluate(
        [
            seller(),
            question("c1", Q_AT),
            message("c1", "2026-03-03T09:00:00+01:00"),
            question("c2", Q_AT),
            message("c2", "2026-03-03T09:00:01+01:00"),
        ]
    )
    assert fr(rep) == (1, 1, 0)


def test_monday_evening_reply_after_exactly_eight_hours_is_on_time() -> None:
    rep, _ = evaluate([seller(), question("c1", Q_AT), message("c1", "2026-03-02T21:00:00+01:00")])
    assert fr(rep) == (1, 0, 0)


def test_automated_and_system_messages_are_not_replies_staff_replies_are() -> None:
    rep, _ = evaluate(
        [
            seller(),
            question("c1", Q_AT),
            message("c1", "2026-03-02T09:01:00+01:00", "system", automated=True),
            message("c1", "2026-03-02T09:02:00+01:00", "seller", automated=True),
            question("c2", Q_AT),
            message("c2", "2026-03-02T10:00:00+01:00", "staff"),
            question("c3", Q_AT),
            message("c3", "2026-03-02T10:00:00+01:00", "agent"),
        ],
        as_of="2026-03-02T12:00:00+01:00",
        end="2026-03-03",
    )
    assert fr(rep) == (1, 0, 2)  # c2 answered by staff; c1 and c3 still pending


def test_system_message_counts_as_automated_even_without_the_flag() -> None:
    rep, _ = evaluate(
        [seller(), question("c1", Q_AT), message("c1", "2026-03-02T09:30:00+01:00", "system")],
        as_of="2026-03-04T00:00:00+01:00",
    )
    assert fr(rep) == (0, 1, 0)


def test_pending_until_the_deadline_then_late() -> None:
    events = [seller(), question("c1", Q_AT)]
    assert fr(evaluate(events, as_of="2026-03-03T09:00:00+01:00")[0]) == (0, 0, 1)
    assert fr(evaluate(events, as_of="2026-03-03T09:00:01+01:00")[0]) == (0, 1, 0)


def test_question_outside_hours_starts_at_next_opening_and_respects_holidays() -> None:
    # Friday 2026-04-24 16:30: 30 min Friday, Monday 27 April is Koningsdag (NL), Tuesday 7.5 h.
    events = [
        seller(),
        question("c1", "2026-04-24T16:30:00+02:00"),
        message("c1", "2026-04-28T16:30:00+02:00"),
        seller("be", country="BE"),
        question("c2", "2026-04-24T16:30:00+02:00", seller="be"),
        message("c2", "2026-04-28T16:30:00+02:00"),
    ]
    rep, _ = evaluate(
        events, start="2026-04-20", end="2026-05-04", as_of="2026-05-04T00:00:00+02:00"
    )
    assert fr(rep, "s1") == (1, 0, 0)
    assert fr(rep, "be") == (0, 1, 0)  # Koningsdag is not a Belgian holiday: deadline Monday 16:30


def test_forwarded_question_clock_starts_at_forwarding() -> None:
    rep, _ = evaluate(
        [
            seller(),
            question("c1", "2026-03-04T15:00:00+01:00", origin="platform_forward"),
            message("c1", "2026-03-05T15:00:00+01:00"),
        ]
    )
    assert fr(rep) == (1, 0, 0)


def test_turns_follow_ups_and_replies() -> None:
    events = [
        seller(),
        question("c1", Q_AT),
        message("c1", "2026-03-02T09:30:00+01:00", "buyer"),  # same turn as the question
        message("c1", "2026-03-02T10:00:00+01:00", "seller"),  # answers turn 1
        message(
            "c1", "2026-03-02T11:00:00+01:00", "system", automated=True
        ),  # neither answers nor splits
        message("c1", "2026-03-02T12:00:00+01:00", "buyer"),  # turn 2 starts
        message("c1", "2026-03-02T12:30:00+01:00", "buyer"),  # still turn 2
        message("c1", "2026-03-03T12:00:01+01:00", "staff"),  # one second past turn 2's deadline
        message("c1", "2026-03-04T10:00:00+01:00", "buyer"),  # turn 3, never answered
    ]
    rep, run = evaluate(events)
    m = rep["sellers"]["s1"]["message_response"]
    assert (m["on_time"], m["late"], m["pending"]) == (1, 2, 0)
    items = run.items(REGISTRY["message_response"], "s1")
    assert sorted(r["status"] for r in items) == ["late", "late", "on_time"]


def test_weekly_late_counts_per_iso_week_and_lists_empty_weeks() -> None:
    events = [seller()] + [question(f"c{i}", "2026-03-10T10:00:00+01:00") for i in range(3)]
    rep, _ = evaluate(events)
    assert rep["sellers"]["s1"]["weekly_late"] == {
        "2026-W10": 0,
        "2026-W11": 3,
        "2026-W12": 0,
        "2026-W13": 0,
    }


def test_phone_hours_change_mid_window_holidays_and_closure() -> None:
    calls = [
        ("2026-03-02T10:00:00+01:00", True),  # default hours: counted
        ("2026-03-02T18:00:00+01:00", False),  # outside default hours: not counted
        ("2026-03-04T18:00:00+01:00", False),  # after widening to 09-20: counted
        ("2026-03-07T10:00:00+01:00", True),  # Saturday, now open: counted
        ("2026-03-10T10:00:00+01:00", False),  # shop closed: not counted
        ("2026-03-12T10:00:00+01:00", True),  # reopened: counted
    ]
    wide = {d: [["09:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat")}
    events = [
        seller(),
        ev("phone_hours_set", "2026-03-03T00:00:00+01:00", seller="s1", hours=wide),
        ev("shop_closed", "2026-03-09T00:00:00+01:00", seller="s1"),
        ev("shop_reopened", "2026-03-11T00:00:00+01:00", seller="s1"),
    ]
    events += [ev("call_attempt", at, seller="s1", answered=a) for at, a in calls]
    rep, _ = evaluate(events)
    assert rep["sellers"]["s1"]["phone"] == {"attempts": 4, "answered": 3, "rate": 0.75}
    # Koningsdag stays closed whatever the hours (phone calendar: NL holidays).
    rep, _ = evaluate(
        [*events, ev("call_attempt", "2026-04-27T10:00:00+02:00", seller="s1", answered=False)],
        start="2026-04-20",
        end="2026-05-04",
        as_of="2026-05-04T00:00:00+02:00",
    )
    assert rep["sellers"]["s1"]["phone"]["attempts"] == 0


def test_phone_is_null_for_presets_without_a_phone_norm() -> None:
    rep, _ = evaluate([seller(marketplace="etsy")], preset="etsy")
    assert rep["sellers"]["s1"]["phone"] is None


def test_shipping_and_question_rate_with_cancelled_orders() -> None:
    def order(o: str, s: str, cat: str, at: str = "2026-03-03T10:00:00+01:00") -> dict:
        return ev(
            "order_placed",
            at,
            order=o,
            seller=s,
            buyer="b",
            ship_by="2026-03-05T17:00:00+01:00",
            category=cat,
            amount="10.00",
            currency="EUR",
        )

    events = [
        seller("s1"),
        seller("s2"),
        order("o1", "s1", "toys"),
        order("o2", "s1", "toys"),
        order("o3", "s1", "garden"),
        order("o4", "s2", "toys"),
        order("o5", "s2", "garden"),
        order("o6", "s1", "toys"),
        ev("order_cancelled", "2026-03-04T10:00:00+01:00", order="o6"),
        ev(
            "order_shipped", "2026-03-05T17:00:00+01:00", order="o1", tracking="3SABC123"
        ),  # on time, tracked
        ev(
            "order_shipped", "2026-03-05T16:00:00+01:00", order="o2", tracking=""
        ),  # on time, no tracking
        ev("order_shipped", "2026-03-06T09:00:00+01:00", order="o3", tracking="JJD1"),  # late
        question("q1", "2026-03-04T10:00:00+01:00", order="o1"),
        question("q2", "2026-03-04T11:00:00+01:00", order="o4"),
        question("q3", "2026-03-04T12:00:00+01:00", order="o4"),
        question("q4", "2026-03-04T12:00:00+01:00", order="o6"),
    ]
    rep, _ = evaluate(events)
    sh = rep["sellers"]["s1"]["shipping"]
    assert (sh["on_time"], sh["late"], sh["pending"], sh["on_time_with_tracking"]) == (2, 1, 0, 1)
    assert sh["rate_on_time"] == 0.6667 and sh["rate_on_time_with_tracking"] == 0.3333
    assert rep["sellers"]["s2"]["shipping"]["late"] == 2  # never shipped, as-of past ship_by
    # toys: o1,o2,o4 with 1+0+2 questions -> 1.0; garden: o3,o5 with 0 -> 0.0 (o6 cancelled)
    assert rep["sellers"]["s1"]["question_rate"] == {
        "orders": 3,
        "questions": 1,
        "rate": 0.3333,
        "norm": 0.6667,
    }
    assert rep["sellers"]["s2"]["question_rate"] == {
        "orders": 2,
        "questions": 2,
        "rate": 1.0,
        "norm": 0.5,
    }


def test_every_registered_seller_appears_with_zero_counts_and_null_rates() -> None:
    rep, _ = evaluate([seller("quiet"), seller("other", marketplace="etsy")])
    assert list(rep["sellers"]) == ["quiet"]
    q = rep["sellers"]["quiet"]
    assert q["first_response"] == {"on_time": 0, "late": 0, "pending": 0, "rate": None}
    assert q["reviews"] == {"count": 0, "average": None}
    assert q["question_rate"]["norm"] is None


def test_events_after_as_of_are_not_seen_and_duplicates_count_once() -> None:
    q = question("c1", Q_AT)
    rep, _ = evaluate(
        [seller(), q, dict(q), message("c1", "2026-03-02T10:00:00+01:00")],
        as_of="2026-03-02T09:30:00+01:00",
        end="2026-03-03",
    )
    assert fr(rep) == (0, 0, 1)


def test_dst_week_24h_calendar_swopify() -> None:
    # swopify: Mon-Fri 00:00-24:00; Friday 2026-03-27 12:00 + 24 working hours -> Monday 12:00
    events = [
        seller(marketplace="swopify"),
        question("c1", "2026-03-27T12:00:00+01:00"),
        message("c1", "2026-03-30T12:00:00+02:00"),
        question("c2", "2026-03-27T12:00:00+01:00"),
        message("c2", "2026-03-30T12:00:01+02:00"),
    ]
    rep, _ = evaluate(events, preset="swopify")
    m = rep["sellers"]["s1"]["message_response"]
    assert (m["on_time"], m["late"]) == (1, 1)


def test_reviews_in_window_for_any_order_date() -> None:
    events = [
        seller(),
        ev(
            "order_placed",
            "2026-01-05T10:00:00+01:00",
            order="o1",
            seller="s1",
            buyer="b",
            ship_by="2026-01-07T10:00:00+01:00",
            category="toys",
            amount="1",
            currency="EUR",
        ),
        ev("review_posted", "2026-03-05T10:00:00+01:00", order="o1", rating=4),
        ev("review_posted", "2026-03-06T10:00:00+01:00", order="o1", rating=5),
        ev("review_posted", "2026-04-06T10:00:00+02:00", order="o1", rating=1),
    ]
    rep, _ = evaluate(events, as_of="2026-04-07T00:00:00+02:00")
    assert rep["sellers"]["s1"]["reviews"] == {"count": 2, "average": 4.5}


def test_sellers_with_the_same_phone_hours_share_one_calendar() -> None:
    wide = {d: [["09:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    events = [
        seller("a"),
        seller("b"),
        ev("phone_hours_set", "2026-03-03T00:00:00+01:00", seller="a", hours=wide),
        ev("phone_hours_set", "2026-03-03T00:00:00+01:00", seller="b", hours=wide),
        ev("call_attempt", "2026-03-04T19:00:00+01:00", seller="a", answered=True),
        ev("call_attempt", "2026-03-04T19:00:00+01:00", seller="b", answered=False),
    ]
    rep, run = evaluate(events)
    assert rep["sellers"]["a"]["phone"]["attempts"] == rep["sellers"]["b"]["phone"]["attempts"] == 1
    assert (
        len(run.frame.calendars) == 3
    )  # bol response (NL), default phone hours, the shared wider hours


def test_message_policy_violations_and_canned_replies_per_seller() -> None:
    """R3.10: with the texts read, --extended counts each reply's failed checks."""

    def reply(conv: str, at: str, body: str) -> dict:
        return {**message(conv, at), "body": body}

    template = (
        "Bedankt voor uw bericht, wij sturen uw bestelling zo snel mogelijk op naar uw adres."
    )
    events = [
        seller(),
        seller("be", country="BE"),
        question("c1", Q_AT),
        reply("c1", "2026-03-02T10:00:00+01:00", "Bel me op 06-12345678 dan regelen we het."),
        question("c2", Q_AT),
        reply(
            "c2",
            "2026-03-02T10:00:00+01:00",
            "Thank you so much for your question, we will ship your order tomorrow morning.",
        ),
        question("c3", Q_AT),
        reply("c3", "2026-03-02T10:00:00+01:00", "Je bent een idioot, lees de beschrijving."),
        question("c4", Q_AT, seller="be"),
        reply(
            "c4",
            "2026-03-02T10:00:00+01:00",
            "Merci pour votre message, nous envoyons votre commande demain matin.",
        ),
        question("c5", Q_AT),
        reply("c5", "2026-03-02T09:00:01+01:00", template),
        question("c6", "2026-03-03T11:00:00+01:00"),
        reply("c6", "2026-03-03T11:00:01+01:00", template),
    ]
    rep, _ = evaluate(events, keep_text=True)
    nl, be = rep["sellers"]["s1"]["message_policy"], rep["sellers"]["be"]["message_policy"]
    assert (nl["replies"], nl["contact"], nl["language"], nl["abusive"]) == (5, 1, 1, 1)
    assert (
        nl["canned"] == 2 and nl["canned_share"] == 0.4
    )  # the same text a second after two questions
    assert (be["replies"], be["contact"], be["language"], be["abusive"], be["canned"]) == (
        1,
        0,
        0,
        0,
        0,
    )  # French is fine in BE
    assert (
        "message_policy" not in evaluate(events)[0]["sellers"]["s1"]
    )  # without texts: not computed

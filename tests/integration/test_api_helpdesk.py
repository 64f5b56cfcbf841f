"""The helpdesk through the API, on SQLite and PostgreSQL: ask, answer from a saved reply as
staff, the queue with deadlines, stage messages on order events, forwarding, takeover."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from tests.integration.conftest import NOW
from tests.integration.world import auth, build_world, ok


def test_buyer_asks_staff_answers_from_saved_reply_and_queue_shows_deadline(
    client: TestClient,
) -> None:
    w = build_world(client)
    w.event(
        {
            "id": "o-a",
            "type": "order_placed",
            "at": "2026-03-02T10:00:00+01:00",
            "order": "order-a",
            "seller": "seller-a",
            "buyer": "buyer-a",
            "ship_by": "2026-03-04T17:00:00+01:00",
            "category": "books",
            "amount": "24.95",
            "currency": "EUR",
        }
    )
    thread = w.post(
        "buyer A",
        "/conversations",
        {"seller": "seller-a", "body": "Wanneer komt mijn boek?", "order": "order-a"},
    )
    cid = thread["conversation"]["id"]
    deadline = datetime.fromisoformat(thread["conversation"]["deadline"])
    assert deadline > NOW
    assert thread["messages"][0]["deadline"] == thread["conversation"]["deadline"]

    # the queue one second before the deadline (0 or 1 working second left: a deadline that
    # falls on an opening time has the closed night before it), at it, and one second after
    before = (deadline - timedelta(seconds=1)).isoformat()
    q = w.get("staff A", "/sellers/seller-a/queue", at=before)
    assert [i["conversation"]["id"] for i in q["items"]] == [cid]
    assert q["items"][0]["working_seconds_left"] in (0, 1) and q["items"][0]["state"] == "due_soon"
    assert w.get("staff A", "/sellers/seller-a/queue")["items"][0]["state"] == "ok"
    at_deadline = w.get("staff A", "/sellers/seller-a/queue", at=deadline.isoformat())["items"][0]
    assert (at_deadline["state"], at_deadline["working_seconds_left"]) == ("due_soon", 0)
    after = w.get(
        "staff A", "/sellers/seller-a/queue", at=(deadline + timedelta(seconds=1)).isoformat()
    )["items"][0]
    assert after["state"] == "overdue" and after["overdue_working_seconds"] in (
        0,
        1,
    )  # 0 when closing time follows

    reply = w.post(
        "seller A",
        "/sellers/seller-a/saved-replies",
        {
            "title": "verzending",
            "body": "Beste {buyer_name}, order {order_number} gaat uiterlijk {ship_date} op de post. {seller_name}",
        },
    )
    staff_list = w.get("staff A", "/sellers/seller-a/saved-replies")
    assert [r["id"] for r in staff_list] == [reply["id"]]
    msg = w.post("staff A", f"/conversations/{cid}/messages", {"saved_reply": reply["id"]})
    assert msg["author"] == "staff" and msg["saved_reply_id"] == reply["id"]
    assert (
        msg["body"] == "Beste Buyer A, order order-a gaat uiterlijk 04-03-2026 op de post. SELLER-A"
    )

    assert w.get("seller A", "/sellers/seller-a/queue")["items"] == []
    seen = w.get("buyer A", f"/conversations/{cid}")
    assert [m["author"] for m in seen["messages"]] == ["buyer", "staff"]
    assert seen["messages"][0]["answered_at"] == msg["at"]
    assert (
        seen["conversation"]["deadline"] is None
        and seen["conversation"]["first_reply_at"] == msg["at"]
    )


def test_queue_orders_by_deadline_and_a_new_buyer_turn_restarts_the_clock(
    client: TestClient,
) -> None:
    w = build_world(client)
    first = w.post("buyer A", "/conversations", {"seller": "seller-a", "body": "Vraag 1"})[
        "conversation"
    ]
    forwarded = w.post(
        "agent bol",
        "/conversations",
        {"seller": "seller-a", "buyer": "buyer-b", "body": "Doorgestuurd"},
    )
    assert forwarded["conversation"]["origin"] == "platform_forward"
    items = w.get("seller A", "/sellers/seller-a/queue")["items"]
    assert {i["conversation"]["id"] for i in items} == {
        first["id"],
        forwarded["conversation"]["id"],
    }
    assert items[0]["deadline"] <= items[1]["deadline"]  # by deadline (equal ones by id)
    # a second buyer message in the same turn keeps the turn's clock
    w.post("buyer A", f"/conversations/{first['id']}/messages", {"body": "Nog iets"})
    again = w.get("seller A", f"/conversations/{first['id']}")["conversation"]
    assert (
        again["deadline"] == first["deadline"]
        and again["awaiting_since"] == first["awaiting_since"]
    )
    w.post("seller A", f"/conversations/{first['id']}/messages", {"body": "Antwoord"})
    w.post("buyer A", f"/conversations/{first['id']}/messages", {"body": "Nieuwe vraag"})
    turn = w.get("seller A", f"/conversations/{first['id']}")["conversation"]
    assert turn["awaiting_since"] > first["awaiting_since"]
    listed = w.get("seller A", "/conversations", waiting=True)
    assert {c["id"] for c in listed} == {first["id"], forwarded["conversation"]["id"]}


def test_order_events_send_localised_stage_messages_when_the_seller_has_them_on(
    client: TestClient,
) -> None:
    w = build_world(client)
    settings = w.get("seller C", "/sellers/seller-c/proactive")
    assert settings["enabled"] is True  # the ebay preset has proactive messages on
    ok(
        client.put(
            "/sellers/seller-c/proactive",
            headers=w.as_("seller C"),
            json={
                "stages": {
                    "delivered": {
                        "templates": {"de": "Angekommen, {buyer_name}? Bewerten Sie uns bitte!"}
                    }
                }
            },
        )
    )
    base = {"order": "order-c"}
    w.event(
        {
            "id": "c1",
            "type": "order_placed",
            "at": "2026-03-02T10:00:00+01:00",
            "seller": "seller-c",
            "buyer": "buyer-c",
            "ship_by": "2026-03-04T17:00:00+01:00",
            "category": "cameras",
            "amount": "189",
            "currency": "EUR",
            **base,
        }
    )
    w.event(
        {
            "id": "c2",
            "type": "order_shipped",
            "at": "2026-03-03T10:00:00+01:00",
            "tracking": "https://t.example/1",
            **base,
        }
    )
    w.event({"id": "c3", "type": "order_delivered", "at": "2026-03-05T10:00:00+01:00", **base})
    assert (
        w.event({"id": "c3", "type": "order_delivered", "at": "2026-03-05T10:00:00+01:00", **base})[
            "status"
        ]
        == "duplicate"
    )
    convs = w.get("buyer C", "/conversations")
    assert len(convs) == 1 and convs[0]["origin"] == "proactive" and convs[0]["deadline"] is None
    msgs = w.get("buyer C", f"/conversations/{convs[0]['id']}")["messages"]
    assert [(m["author"], m["automated"], m["stage"]) for m in msgs] == [
        ("system", True, "payment"),
        ("system", True, "shipped"),
        ("system", True, "delivered"),
    ]
    assert "04.03.2026" in msgs[0]["body"] and "vielen Dank" in msgs[0]["body"]
    assert "https://t.example/1" in msgs[1]["body"]
    assert msgs[2]["body"] == "Angekommen, Buyer C? Bewerten Sie uns bitte!"
    # a delay notice is a 'problem' stage message
    w.event(
        {
            "id": "c4",
            "type": "order_placed",
            "at": "2026-03-06T10:00:00+01:00",
            "order": "order-c2",
            "seller": "seller-c",
            "buyer": "buyer-c",
            "ship_by": "2026-03-09T17:00:00+01:00",
            "category": "cameras",
            "amount": "5",
            "currency": "EUR",
        }
    )
    delay = ok(
        client.post(
            "/orders/order-c2/delay",
            headers=w.as_("seller C"),
            json={"ship_by": "2026-03-12T17:00:00+01:00"},
        )
    )
    assert delay["stage"] == "problem" and "12.03.2026" in delay["body"]


def test_bol_seller_has_stage_messages_off_until_it_turns_them_on(client: TestClient) -> None:
    w = build_world(client)
    w.event(
        {
            "id": "a1",
            "type": "order_placed",
            "at": "2026-03-02T10:00:00+01:00",
            "order": "order-a1",
            "seller": "seller-a",
            "buyer": "buyer-a",
            "ship_by": "2026-03-04T17:00:00+01:00",
            "category": "books",
            "amount": "9",
            "currency": "EUR",
        }
    )
    assert w.get("buyer A", "/conversations") == []
    ok(
        client.put(
            "/sellers/seller-a/proactive",
            headers=w.as_("seller A"),
            json={"enabled": True, "stages": {"payment": {"enabled": False}}},
        )
    )
    w.event(
        {
            "id": "a2",
            "type": "order_shipped",
            "at": "2026-03-03T10:00:00+01:00",
            "order": "order-a1",
        }
    )
    w.event(
        {
            "id": "a3",
            "type": "order_placed",
            "at": "2026-03-03T11:00:00+01:00",
            "order": "order-a2",
            "seller": "seller-a",
            "buyer": "buyer-a",
            "ship_by": "2026-03-04T17:00:00+01:00",
            "category": "books",
            "amount": "9",
            "currency": "EUR",
        }
    )
    convs = w.get("buyer A", "/conversations")
    assert len(convs) == 1
    msgs = w.get("buyer A", f"/conversations/{convs[0]['id']}")["messages"]
    assert [m["stage"] for m in msgs] == ["shipped"]
    assert msgs[0]["body"].startswith(
        "Beste Buyer A, je bestelling order-a1 is op 03-03-2026 verzonden."
    )


def test_takeover_hands_the_conversation_to_the_agent(client: TestClient) -> None:
    w = build_world(client)
    cid = w.ids["conversation B"]
    r = client.post(
        f"/conversations/{cid}/messages", headers=w.as_("agent bol"), json={"body": "Hallo"}
    )
    assert r.status_code == 409
    took = w.post("agent bol", f"/conversations/{cid}/takeover", None, 200)
    assert took["taken_over_at"] is not None
    assert (
        client.post(f"/conversations/{cid}/takeover", headers=w.as_("agent bol")).status_code == 409
    )
    assert (
        client.post(
            f"/conversations/{cid}/messages", headers=w.as_("seller B"), json={"body": "x"}
        ).status_code
        == 409
    )
    m = w.post("agent bol", f"/conversations/{cid}/messages", {"body": "Wij nemen dit over."})
    assert m["author"] == "agent"
    assert w.get("seller B", "/sellers/seller-b/queue")["items"] == []


def test_listing_suggestions_answer_before_the_question_is_sent(client: TestClient) -> None:
    w = build_world(client)
    ok(
        client.patch(
            "/listings/listing-b",
            headers=w.as_("seller B"),
            json={"facts": {"shipping_cost": "Gratis vanaf 20 euro", "returns": "30 dagen"}},
        )
    )
    got = ok(
        client.post(
            "/listings/listing-b/suggestions",
            headers=w.as_("buyer A"),
            json={"text": "Wat zijn de verzendkosten?"},
        )
    )
    assert got[0] == {
        "kind": "fact",
        "key": "shipping_cost",
        "question": None,
        "answer": "Gratis vanaf 20 euro",
        "score": 100.0,
    }
    faq = ok(
        client.post(
            "/listings/listing-b/suggestions",
            headers=w.as_("buyer A"),
            json={"text": "is dit de nieuwste editie"},
        )
    )
    assert faq and faq[0]["kind"] == "faq" and faq[0]["answer"] == "Ja"


def test_contact_hours_and_expected_response(client: TestClient) -> None:
    w = build_world(client)
    card = w.get("buyer A", "/sellers/seller-a/contact", at="2026-03-02T08:00:00+01:00")
    assert card["expected_response"] == "8h" and card["hours_published"] is False
    assert card["open_now"] is False and card["next_open"].startswith("2026-03-02T09:00:00")
    r = client.put(
        "/sellers/seller-a/contact",
        headers=w.as_("seller A"),
        json={
            "hours": {"mon": [["08:00", "20:00"]], "sat": [["10:00", "14:00"]]},
            "expected_response": "4h",
        },
    )
    card = ok(r)
    assert (
        card["hours"] == {"mon": [["08:00", "20:00"]], "sat": [["10:00", "14:00"]]}
        and card["expected_response"] == "4h"
    )
    bad = client.put(
        "/sellers/seller-a/contact",
        headers=w.as_("seller A"),
        json={"hours": {"mon": [["18:00", "08:00"]]}},
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "hours"]
    assert (
        client.put("/sellers/seller-a/contact", headers=w.as_("staff A"), json={}).status_code
        == 403
    )


def test_deactivated_staff_token_stops_working(client: TestClient) -> None:
    w = build_world(client)
    assert client.get("/me", headers=w.as_("staff A")).status_code == 200
    ok(client.delete(f"/sellers/seller-a/staff/{w.ids['staff A']}", headers=w.as_("seller A")))
    assert client.get("/me", headers=w.as_("staff A")).status_code == 401
    assert client.get("/me").status_code == 401
    assert client.get("/me", headers=auth("sn_wrong")).status_code == 401

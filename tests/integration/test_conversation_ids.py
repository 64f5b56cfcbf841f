"""Issue 11 item 8: a conversation id a caller chooses is scoped to that caller.

`POST /conversations {"id": ...}` answers the same for an id another tenant (another buyer,
another marketplace) uses as for a free id, and a buyer cannot take an id that a
marketplace's own import needs later. On SQLite and PostgreSQL, against the real app."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.integration.world import World, build_world


def _imported_question(w: World, cid: str, event: str) -> Any:
    return w.event(
        {
            "id": event,
            "type": "question_opened",
            "at": "2026-03-02T10:00:00+01:00",
            "conversation": cid,
            "seller": "seller-a",
            "buyer": "buyer-a",
            "origin": "buyer",
            "body": "Waar blijft mijn boek?",
        }
    )


def _ask(w: World, who: str, seller: str, cid: str) -> tuple[int, Any]:
    r = w.c.post(
        "/conversations",
        json={"seller": seller, "body": "Een vraag", "id": cid},
        headers=w.as_(who),
    )
    return r.status_code, r.json()


def test_an_id_in_use_elsewhere_answers_as_a_free_id(client: TestClient) -> None:
    w = build_world(client)
    _imported_question(w, "bol-q-1", "ev-q-1")
    taken = {"bol-q-1", w.ids["conversation B"]}  # bol: an import's and buyer B's
    free = {"never-used-1", "never-used-2"}
    for who, seller in (
        ("buyer C", "seller-c"),
        ("buyer A", "seller-a"),
        ("agent ebay", "seller-c"),
    ):
        answers = {}
        for cid in sorted(taken | free):
            status, body = _ask(w, who, seller, cid) if who != "agent ebay" else _forward(w, cid)
            answers[cid] = status
            assert status == 201, (who, cid, body)
            assert body["conversation"]["id"] not in taken
        assert len(set(answers.values())) == 1, (who, answers)
    # the conversations that were there are untouched
    assert (
        w.get("seller B", f"/conversations/{w.ids['conversation B']}")["conversation"]["buyer_id"]
        == "buyer-b"
    )
    thread = w.get("agent bol", "/conversations/bol-q-1")
    assert thread["conversation"]["buyer_id"] == "buyer-a" and len(thread["messages"]) == 1


def _forward(w: World, cid: str) -> tuple[int, Any]:
    r = w.c.post(
        "/conversations",
        json={"seller": "seller-c", "buyer": "buyer-c", "body": "Doorgestuurd", "id": cid},
        headers=w.as_("agent ebay"),
    )
    return r.status_code, r.json()


def test_a_buyer_cannot_take_an_id_a_marketplace_import_needs(client: TestClient) -> None:
    w = build_world(client)
    status, _ = _ask(w, "buyer C", "seller-c", "bol-q-7")  # an ebay buyer goes first
    assert status == 201
    status, _ = _ask(w, "buyer A", "seller-a", "bol-q-7")  # and a bol buyer
    assert status == 201
    report = _imported_question(w, "bol-q-7", "ev-q-7")  # the bol import still gets its id
    assert report["status"] == "accepted", report
    assert w.get("seller A", "/conversations/bol-q-7")["conversation"]["buyer_id"] == "buyer-a"


def test_the_same_id_from_the_same_caller_is_the_same_conversation(client: TestClient) -> None:
    w = build_world(client)
    status, first = _ask(w, "buyer A", "seller-a", "retry-1")
    assert status == 201
    status, again = _ask(w, "buyer A", "seller-a", "retry-1")  # a retry: not a second question
    assert status == 409 and again["detail"].endswith("exists already")
    assert [c["id"] for c in w.get("buyer A", "/conversations")] == [first["conversation"]["id"]]
    status, other = _ask(w, "buyer B", "seller-a", "retry-1")  # another buyer's own key
    assert status == 201 and other["conversation"]["id"] != first["conversation"]["id"]

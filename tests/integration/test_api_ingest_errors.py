"""Ingest (single, batch, idempotent, per-line errors, out-of-order) and client mistakes:
422 naming the field, 404 for unknown ids, 409 for conflicts, never a 500."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from servicenorm.helpdesk.projection.keys import event_key
from tests.integration.world import build_world, ok


def ev(id: str, type: str, at: str, **fields: object) -> dict[str, object]:
    return {"id": id, "type": type, "at": at, **fields}


def test_batch_ingest_is_idempotent_and_reports_each_bad_line(client: TestClient) -> None:
    w = build_world(client)
    events = [
        ev(
            "r1",
            "seller_registered",
            "2026-03-01T09:00:00+01:00",
            seller="seller-z",
            marketplace="bol",
            country="BE",
        ),
        ev(
            "q1",
            "question_opened",
            "2026-03-02T16:00:00+01:00",
            conversation="cz",
            seller="seller-z",
            buyer="bz",
            origin="buyer",
            body="Vraag",
        ),
        {
            "id": "bad1",
            "type": "question_opened",
            "at": "2026-03-02T16:00:00",
        },  # no offset, missing fields
        ev(
            "bad2",
            "message_sent",
            "2026-03-02T17:00:00+01:00",
            conversation="nope",
            author="seller",
            body="x",
        ),
        ev(
            "m1",
            "message_sent",
            "2026-03-03T10:00:00+01:00",
            conversation="cz",
            author="seller",
            body="Antwoord",
        ),
    ]
    r = ok(client.post("/events/batch", headers=w.as_("operator"), json=events))
    assert (r["accepted"], r["duplicates"], r["rejected"]) == (3, 0, 2)
    assert [(e["line"], e["id"], e["field"]) for e in r["errors"]] == [
        (3, "bad1", "at"),
        (4, "bad2", "conversation"),
    ]
    again = ok(
        client.post(
            "/events/batch",
            headers={**w.as_("operator"), "content-type": "application/x-ndjson"},
            content="\n".join(json.dumps(e) for e in events[:2]) + "\n{oops\n",
        )
    )
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 2, 1)
    assert again["errors"][0]["line"] == 3
    thread = w.get("operator", "/conversations/cz")
    q, a = thread["messages"]
    # BE seller: Belgian holidays, Mon-Fri 9-17: asked Mon 16:00 -> 1 h left Mon, 7 h Tue -> Tue 16:00
    assert (
        q["deadline"] == "2026-03-03T15:00:00Z"
        and q["answered_at"] == a["at"] == "2026-03-03T09:00:00Z"
    )
    assert thread["conversation"]["deadline"] is None


def test_an_event_id_reused_for_a_different_event_is_refused(client: TestClient) -> None:
    w = build_world(client)
    first = ev("x1", "shop_closed", "2026-03-01T09:00:00+01:00", seller="seller-a")
    assert w.event(first)["status"] == "accepted"
    r = client.post("/events", headers=w.as_("operator"), json={**first, "seller": "seller-b"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "id"]
    assert w.get("operator", "/sellers/seller-a")["closed"] is True


def test_messages_arriving_out_of_order_settle_by_their_time(client: TestClient) -> None:
    w = build_world(client)
    w.event(
        ev(
            "s1",
            "seller_registered",
            "2026-03-01T09:00:00+01:00",
            seller="seller-o",
            marketplace="bol",
            country="NL",
        )
    )
    w.event(
        ev(
            "o1",
            "question_opened",
            "2026-03-02T10:00:00+01:00",
            conversation="co",
            seller="seller-o",
            buyer="bo",
            origin="buyer",
            body="Eerste",
        )
    )
    w.event(
        ev(
            "o3",
            "message_sent",
            "2026-03-02T12:00:00+01:00",
            conversation="co",
            author="seller",
            body="Antwoord",
        )
    )
    w.event(
        ev(
            "o2",
            "message_sent",
            "2026-03-02T11:00:00+01:00",
            conversation="co",
            author="buyer",
            body="Nog iets",
        )
    )
    w.event(
        ev(
            "o4",
            "message_sent",
            "2026-03-02T13:00:00+01:00",
            conversation="co",
            author="buyer",
            body="Later",
        )
    )
    # an imported message's id is its event's key, scoped to the marketplace
    by_key = {m["id"]: m for m in w.get("operator", "/conversations/co")["messages"]}
    msgs = {i: by_key[event_key("bol", i)] for i in ("o1", "o2", "o3", "o4")}
    assert msgs["o2"]["answered_at"] == msgs["o3"]["at"] and msgs["o4"]["answered_at"] is None
    conv = w.get("operator", "/conversations/co")["conversation"]
    assert conv["awaiting_since"] == msgs["o4"]["at"] and conv["deadline"] == msgs["o4"]["deadline"]


def test_client_mistakes_get_clear_answers(client: TestClient) -> None:
    w = build_world(client)
    c, op = client, w.as_("operator")
    r = c.post(
        "/sellers",
        headers=op,
        json={"id": "s x", "marketplace": "bol", "name": "x", "country": "nl"},
    )
    assert r.status_code == 422 and {tuple(e["loc"]) for e in r.json()["detail"]} == {
        ("body", "id"),
        ("body", "country"),
    }
    r = c.post(
        "/sellers",
        headers=op,
        json={"id": "seller-a", "marketplace": "bol", "name": "x", "country": "NL"},
    )
    assert r.status_code == 409
    r = c.post("/marketplaces", headers=op, json={"id": "m", "preset": "nope", "title": "x"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "preset"]
    assert c.get("/sellers/unknown", headers=op).status_code == 404
    assert c.get("/conversations/unknown", headers=op).status_code == 404
    r = c.post(
        "/events", headers=op, json={"id": "e", "type": "order_placed", "at": "2026-03-02T10:00:00"}
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][0] == "body"
    r = c.post(
        "/events/batch",
        headers=op,
        content=b"{not json",
    )
    assert r.status_code == 422
    r = c.get("/sellers/seller-a/queue", headers=op, params={"at": "2026-03-02T10:00:00"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "at"]
    r = c.post(
        "/sellers/seller-a/saved-replies",
        headers=w.as_("seller A"),
        json={"title": "t", "body": "Hoi {naam}"},
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "body"]
    reply = w.post(
        "seller A",
        "/sellers/seller-a/saved-replies",
        {"title": "t", "body": "Order {order_number}"},
    )
    assert (
        c.post(
            "/sellers/seller-a/saved-replies",
            headers=w.as_("seller A"),
            json={"title": "t", "body": "x"},
        ).status_code
        == 409
    )
    cid = w.post("buyer A", "/conversations", {"seller": "seller-a", "body": "Hallo"})[
        "conversation"
    ]["id"]
    r = c.post(
        f"/conversations/{cid}/messages",
        headers=w.as_("staff A"),
        json={"saved_reply": reply["id"]},
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "variables"]
    m = ok(
        c.post(
            f"/conversations/{cid}/messages",
            headers=w.as_("staff A"),
            json={"saved_reply": reply["id"], "variables": {"order_number": "X-1"}},
        ),
        201,
    )
    assert m["body"] == "Order X-1"
    r = c.post(
        "/conversations",
        headers=w.as_("buyer A"),
        json={"seller": "seller-a", "body": "x", "order": "order-b"},
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "order"]
    # a caller's id is a retry key of its own (issue 11 item 8): the same key again is a 409
    for status in (201, 409):
        r = c.post(
            "/conversations",
            headers=w.as_("buyer A"),
            json={"seller": "seller-a", "body": "x", "id": "retry-key"},
        )
        assert r.status_code == status


# -- a re-sent event's content (issue 11 item 7): one rule for the API and the command line --

SAME, OTHER = True, False
# (first, again, the same content?), each pair with its own id; bol's seller A and buyer A
RESENT: list[tuple[dict[str, object], dict[str, object], bool]] = [
    (
        ev("rs-1", "shop_closed", "2026-03-02T09:00:00Z", seller="seller-a"),
        ev("rs-1", "shop_closed", "2026-03-02T10:00:00+01:00", seller="seller-a"),
        SAME,  # the same instant with another offset
    ),
    (
        ev("rs-2", "shop_reopened", "2026-03-02T09:00:00Z", seller="seller-a"),
        ev("rs-2", "shop_reopened", "2026-03-02T09:00:00+01:00", seller="seller-a"),
        OTHER,  # another instant
    ),
    (
        ev(
            "rs-3",
            "order_placed",
            "2026-03-02T09:15:00.500000+00:00",
            order="o-rs-3",
            seller="seller-a",
            buyer="buyer-a",
            ship_by="2026-03-04T16:00:00Z",
            category="books",
            amount="10.00",
            currency="EUR",
        ),
        ev(
            "rs-3",
            "order_placed",
            "2026-03-02T11:15:00.5+02:00",
            order="o-rs-3",
            seller="seller-a",
            buyer="buyer-a",
            ship_by="2026-03-04T17:00:00+01:00",
            category="books",
            amount="10.00",
            currency="EUR",
        ),
        SAME,
    ),
    (
        ev("rs-4", "call_attempt", "2026-03-02T09:00:00Z", seller="seller-a", answered=True),
        ev("rs-4", "call_attempt", "2026-03-02T10:00:00+01:00", seller="seller-a", answered=False),
        OTHER,
    ),
    (
        ev(
            "rs-5",
            "phone_hours_set",
            "2026-03-02T08:00:00Z",
            seller="seller-a",
            hours={"mon": [["09:00", "17:00"]], "sun": []},
        ),
        ev(
            "rs-5",
            "phone_hours_set",
            "2026-03-02T09:00:00+01:00",
            seller="seller-a",
            hours={"mon": [["09:00", "17:00"]]},
        ),
        SAME,  # a closed day written or left out
    ),
]


def _renamed(event: dict[str, object], suffix: str) -> dict[str, object]:
    return {k: f"{v}{suffix}" if k in ("id", "order") else v for k, v in event.items()}


def test_an_event_sent_again_with_the_same_instant_at_another_offset_is_a_duplicate(
    client: TestClient,
) -> None:
    w = build_world(client)
    op = w.as_("operator")
    first, again = [x[0] for x in RESENT], [x[1] for x in RESENT]
    assert ok(client.post("/events/batch", headers=op, json=first))["accepted"] == len(first)
    out = ok(client.post("/events/batch", headers=op, json=again))
    refused = {e["id"] for e in out["errors"]}
    assert refused == {a["id"] for a, _, same in RESENT if not same}, out
    assert all("used by a different event" in e["reason"] for e in out["errors"]), out
    assert out["duplicates"] == sum(same for _, _, same in RESENT) and out["accepted"] == 0
    # one at a time too, and within one batch
    assert ok(client.post("/events", headers=op, json=RESENT[0][1]))["status"] == "duplicate"
    both = [_renamed(x, "-b") for pair in RESENT for x in pair[:2]]
    out = ok(client.post("/events/batch", headers=op, json=both))
    assert {e["id"] for e in out["errors"]} == {f"{a['id']}-b" for a, _, s in RESENT if not s}


def test_the_command_line_reader_compares_a_repeated_id_by_the_same_rule(tmp_path: Path) -> None:
    """The reader `evaluate` and `explain` read logs with (tests/cli/test_hostile_cli.py runs
    them) and the API call the same pairs the same content: one definition,
    `events.columns.content`."""
    from servicenorm.events import read_events

    log = tmp_path / "events.jsonl"
    lines = [x for first, again, _ in RESENT for x in (first, again)]
    log.write_text("".join(json.dumps(x) + "\n" for x in lines))
    read = read_events(log)
    refused = {e.reason.split("'")[1] for e in read.errors}
    assert refused == {a["id"] for a, _, same in RESENT if not same}, read.errors
    assert all("used by a different event" in e.reason for e in read.errors)

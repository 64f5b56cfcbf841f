"""The message post (web.fastlane in front of the route, both through the one projector and
writer) and the token cache, on SQLite and PostgreSQL: a revoked token or a deactivated account
stops working at once, in this process and in any other; the lane answers exactly as the
FastAPI route does; a message older than the thread settles the thread; a conversation that
keeps changing between read and write is a 409."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from servicenorm.helpdesk import conversations
from servicenorm.helpdesk.projection import chunks
from servicenorm.helpdesk.tokens import hash_token
from servicenorm.settings import Settings
from servicenorm.web.app import create_app
from tests.integration.conftest import NOW, OPERATOR_TOKEN, new_database
from tests.integration.world import World, auth, build_world, ok


@pytest.fixture
def other(settings: Settings) -> Iterator[TestClient]:
    """A second app on the same database: another server process, with its own token cache."""
    app = create_app(settings)
    with TestClient(app) as c:
        yield c
    app.state.container.engine.dispose()


def _cache(c: TestClient) -> Any:
    return c.app.state.tokens  # type: ignore[attr-defined]


def _cached(c: TestClient, token: str) -> bool:
    return _cache(c).get(hash_token(token, c.app.state.container.pepper)) is not None  # type: ignore[attr-defined]


def _ask(w: World, who: str = "buyer A", seller: str = "seller-a") -> str:
    return str(
        w.post(who, "/conversations", {"seller": seller, "body": "Wanneer komt mijn boek?"})[
            "conversation"
        ]["id"]
    )


def test_deactivated_staff_is_refused_at_once_in_this_process_and_in_another(
    client: TestClient, other: TestClient
) -> None:
    w = build_world(client)
    cid = _ask(w)
    token = w.tokens["staff A"]
    for c in (client, other):  # both processes know the token now (the second post takes the lane)
        ok(
            c.post(
                f"/conversations/{cid}/messages", headers=auth(token), json={"body": "Komt morgen."}
            ),
            201,
        )
        ok(
            c.post(
                f"/conversations/{cid}/messages", headers=auth(token), json={"body": "Echt waar."}
            ),
            201,
        )
        assert _cached(c, token)
    ok(other.delete(f"/sellers/seller-a/staff/{w.ids['staff A']}", headers=w.as_("seller A")))
    for c in (client, other):
        r = c.post(f"/conversations/{cid}/messages", headers=auth(token), json={"body": "Nog één."})
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert r.json() == {"detail": "unknown or revoked API token"}
        assert not _cached(c, token)
        assert c.get("/me", headers=auth(token)).status_code == 401
    thread = w.get("seller A", f"/conversations/{cid}")
    assert [m["body"] for m in thread["messages"]][-1] == "Echt waar."


def test_a_token_revoked_in_the_database_stops_working_at_once(client: TestClient) -> None:
    w = build_world(client)
    cid = _ask(w)
    ok(
        client.post(
            f"/conversations/{cid}/messages", headers=w.as_("buyer A"), json={"body": "Hallo?"}
        ),
        201,
    )
    assert _cached(client, w.tokens["buyer A"])
    engine = client.app.state.container.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:  # e.g. an operator's script, or another deployment's process
        conn.execute(
            text("UPDATE api_tokens SET revoked_at = 1 WHERE token_hash = :h"),
            {"h": hash_token(w.tokens["buyer A"], client.app.state.container.pepper)},
        )  # type: ignore[attr-defined]
    r = client.post(
        f"/conversations/{cid}/messages", headers=w.as_("buyer A"), json={"body": "Hallo??"}
    )
    assert r.status_code == 401
    assert [m["body"] for m in w.get("seller A", f"/conversations/{cid}")["messages"]] == [
        "Wanneer komt mijn boek?",
        "Hallo?",
    ]


def test_the_posts_one_read_answers_the_unanswered_and_checks_the_token_first(
    client: TestClient,
) -> None:
    """A post's first statement reads the conversation with its unanswered buyer messages and
    checks the cached token: a reply answers exactly those messages, earlier answers stay; a
    cached token revoked meanwhile is a 401 even for a conversation that is not there, and
    leaves the cache (a valid one gets the 404)."""
    w = build_world(client)
    cid = _ask(w)
    token = w.tokens["buyer A"]

    def post(who: str, body: str) -> dict[str, Any]:
        url = f"/conversations/{cid}/messages"
        return ok(client.post(url, headers=w.as_(who), json={"body": body}), 201)

    post("buyer A", "Nog iets?")
    post("buyer A", "Hallo?")  # the lane (token cached)
    first = post("staff A", "Morgen.")
    later = post("buyer A", "Dank je, en de bon?")
    second = post("staff A", "Zit in de doos.")
    answered = {
        m["body"]: m["answered_at"]
        for m in w.get("seller A", f"/conversations/{cid}")["messages"]
        if m["author"] == "buyer"
    }
    assert answered == {
        "Wanneer komt mijn boek?": first["at"],
        "Nog iets?": first["at"],
        "Hallo?": first["at"],
        later["body"]: second["at"],
    }
    assert _cached(client, token)
    missing = client.post("/conversations/c-none/messages", headers=auth(token), json={"body": "x"})
    assert missing.status_code == 404 and _cached(client, token)
    engine = client.app.state.container.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE api_tokens SET revoked_at = 1 WHERE token_hash = :h"),
            {"h": hash_token(token, client.app.state.container.pepper)},  # type: ignore[attr-defined]
        )
    r = client.post("/conversations/c-none/messages", headers=auth(token), json={"body": "x"})
    assert r.status_code == 401 and r.json() == {"detail": "unknown or revoked API token"}
    assert not _cached(client, token)


def test_an_unknown_token_is_refused_before_the_body_is_looked_at(client: TestClient) -> None:
    w = build_world(client)
    cid = _ask(w)
    for body in ({"body": "x"}, {"bogus": 1}, None):
        r = client.post(f"/conversations/{cid}/messages", headers=auth("sn_unknown"), json=body)
        assert r.status_code == 401, r.text
    assert client.post(f"/conversations/{cid}/messages", json={"body": "x"}).status_code == 401


def _strip(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k not in ("id", "at", "deadline")}


def test_the_lane_answers_as_the_route_does(client: TestClient, other: TestClient) -> None:
    """`client` has the tokens cached (lane), `other` is asked once per token (route)."""
    w = build_world(client)
    cid, cid_b = _ask(w), w.ids["conversation B"]
    for who in ("staff A", "buyer A", "agent bol", "seller B"):  # a first request caches the token
        client.post(f"/conversations/{cid_b}/messages", headers=w.as_(who), json={"body": "warm"})
        assert _cached(client, w.tokens[who])
    cases: list[tuple[str, str, Any]] = [
        ("staff A", cid, {"body": "Het boek is onderweg."}),  # a reply
        ("buyer A", cid, {"body": "Dank je!"}),  # a buyer message: deadline
        ("staff A", cid, {"body": "Bel me gerust op 06-12345678."}),  # masked, with a violation
        ("buyer A", "no-such-conversation", {"body": "x"}),  # 404
        ("buyer A", cid_b, {"body": "x"}),  # someone else's: 404
        ("agent bol", cid, {"body": "x"}),  # not taken over: 409
        ("staff A", cid, {"body": "   "}),  # empty: 422 on body
        ("staff A", cid, {"body": "x", "extra": 1}),  # the schema refuses it: 422 (route)
        ("staff A", cid, {"saved_reply": "nope"}),  # saved replies: the route, 422
        ("staff A", "bad id!", {"body": "x"}),  # 422 on the path
    ]
    for who, conversation, body in cases:
        via_lane = client.post(
            f"/conversations/{conversation}/messages", headers=w.as_(who), json=body
        )
        other_cache = _cache(other)
        other_cache.clear()
        via_route = other.post(
            f"/conversations/{conversation}/messages", headers=w.as_(who), json=body
        )
        assert via_lane.status_code == via_route.status_code, (
            who,
            conversation,
            body,
            via_lane.text,
            via_route.text,
        )
        assert via_lane.headers["content-type"] == via_route.headers["content-type"]
        a, b = via_lane.json(), via_route.json()
        if via_lane.status_code == 201:
            assert _strip(a) == _strip(b) and a["id"] != b["id"]
            assert (a["deadline"] is None) == (b["deadline"] is None)
        else:
            assert a == b
    thread = w.get("seller A", f"/conversations/{cid}")
    assert [m["author"] for m in thread["messages"]] == ["buyer"] + ["staff"] * 2 + [
        "buyer"
    ] * 2 + ["staff"] * 2
    assert len(thread["violations"]) == 2 and {v["action"] for v in thread["violations"]} == {
        "mask"
    }
    events = client.app.state.container.engine  # type: ignore[attr-defined]
    with events.connect() as conn:
        n = conn.execute(
            text("SELECT count(*) FROM events WHERE type = 'message_sent'")
        ).scalar_one()
    assert (
        n == 6 + 1
    )  # three accepted cases, each via the lane and the route; seller B's warm-up post


def test_a_message_older_than_the_thread_settles_the_whole_thread(client: TestClient) -> None:
    """An ingested message newer than the post: the projector reads the whole thread."""
    w = build_world(client)
    cid = _ask(w)
    later = (NOW + timedelta(hours=1)).isoformat()
    w.event(
        {
            "id": "late-reply",
            "type": "message_sent",
            "at": later,
            "conversation": cid,
            "author": "seller",
            "body": "Antwoord uit de toekomst",
        }
    )
    assert w.get("seller A", f"/conversations/{cid}")["conversation"]["deadline"] is None
    for _ in range(2):  # the route, then the lane (cached token)
        ok(
            client.post(
                f"/conversations/{cid}/messages",
                headers=w.as_("buyer A"),
                json={"body": "Nog iets"},
            ),
            201,
        )
    thread = w.get("seller A", f"/conversations/{cid}")
    assert thread["conversation"]["deadline"] is None  # the later reply answers them too
    assert all(m["answered_at"] is not None for m in thread["messages"] if m["author"] == "buyer")
    assert thread["conversation"]["last_message_at"].startswith(later[:16])


@pytest.fixture
def pg_client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        environment="test",
        data_dir=tmp_path,
        database_url=new_database("postgresql", request, tmp_path),
        operator_token=OPERATOR_TOKEN,
        db_pool_size=4,
    )
    app = create_app(settings)
    with TestClient(app) as c:
        yield c
    app.state.container.engine.dispose()


def test_a_conversation_changed_between_read_and_write_is_a_409(
    pg_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer updates the conversation only if its version is the one read (compare-and-set);
    the post reads again a few times, then answers 409 (on PostgreSQL: SQLite's IMMEDIATE
    transaction lets nothing change in between)."""
    client = pg_client
    w = build_world(client)
    cid = _ask(w)
    engine = client.app.state.container.engine  # type: ignore[attr-defined]
    real = chunks.load

    def meanwhile(*args: Any, **kw: Any) -> Any:
        state = real(*args, **kw)
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE conversations SET version = version + 1 WHERE id = :id"), {"id": cid}
            )
        return state

    monkeypatch.setattr(chunks, "load", meanwhile)
    for _ in range(2):  # route, lane
        r = client.post(
            f"/conversations/{cid}/messages", headers=w.as_("buyer A"), json={"body": "Hallo?"}
        )
        assert r.status_code == 409 and "changed meanwhile" in r.json()["detail"]
    monkeypatch.setattr(chunks, "load", real)
    assert [m["body"] for m in w.get("buyer A", f"/conversations/{cid}")["messages"]] == [
        "Wanneer komt mijn boek?"
    ]
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM events WHERE type = 'message_sent'")
            ).scalar_one()
            == 0
        )
    ok(
        client.post(
            f"/conversations/{cid}/messages", headers=w.as_("buyer A"), json={"body": "Hallo?"}
        ),
        201,
    )


def test_a_database_conflict_on_the_post_is_a_409_not_a_500(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = build_world(client)
    cid = _ask(w)
    first = ok(
        client.post(
            f"/conversations/{cid}/messages", headers=w.as_("buyer A"), json={"body": "Een"}
        ),
        201,
    )
    # the next message reuses a stored id
    monkeypatch.setattr(conversations, "new_id", lambda: first["id"])
    _cache(client).clear()
    for _ in range(2):  # route, lane
        r = client.post(
            f"/conversations/{cid}/messages", headers=w.as_("buyer A"), json={"body": "Twee"}
        )
        assert r.status_code == 409 and "conflicts with data stored meanwhile" in r.json()["detail"]
    monkeypatch.undo()
    assert [m["body"] for m in w.get("buyer A", f"/conversations/{cid}")["messages"]] == [
        "Wanneer komt mijn boek?",
        "Een",
    ]
    ok(
        client.post(
            f"/conversations/{cid}/messages", headers=w.as_("buyer A"), json={"body": "Twee"}
        ),
        201,
    )

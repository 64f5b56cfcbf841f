"""R6.2: no role reads or writes another seller's or buyer's data. Every endpoint x every
role x a foreign resource answers 403 or 404 (422 where the foreign id is in the body), and
nothing changes; staff of seller A never see seller B."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from servicenorm.settings import Settings
from tests.integration.world import World, build_world

# (method, path, body, public): `public` endpoints show a seller's public face to buyers of
# the same marketplace, so for buyers their foreign resource is seller C of the other marketplace.
ENDPOINTS: list[tuple[str, str, Any, bool]] = [
    ("GET", "/sellers/{seller}", None, True),
    ("GET", "/sellers/{seller}/queue", None, False),
    ("GET", "/sellers/{seller}/contact", None, True),
    ("PUT", "/sellers/{seller}/contact", {"expected_response": "1h"}, False),
    ("POST", "/sellers/{seller}/staff", {"name": "intruder"}, False),
    ("GET", "/sellers/{seller}/staff", None, False),
    ("DELETE", "/sellers/{seller}/staff/{staff}", None, False),
    ("POST", "/sellers/{seller}/saved-replies", {"title": "x", "body": "y"}, False),
    ("GET", "/sellers/{seller}/saved-replies", None, False),
    ("GET", "/sellers/{seller}/proactive", None, False),
    ("PUT", "/sellers/{seller}/proactive", {"enabled": False}, False),
    ("POST", "/sellers/{seller}/listings", {"id": "intruder-listing", "title": "x"}, False),
    ("GET", "/saved-replies/{reply}", None, False),
    ("PATCH", "/saved-replies/{reply}", {"body": "hacked"}, False),
    ("DELETE", "/saved-replies/{reply}", None, False),
    ("GET", "/listings/{listing}", None, True),
    ("PATCH", "/listings/{listing}", {"title": "hacked"}, False),
    ("POST", "/listings/{listing}/faqs", {"question": "q", "answer": "a"}, False),
    ("DELETE", "/listings/{listing}/faqs/{faq}", None, False),
    ("POST", "/listings/{listing}/suggestions", {"text": "verzendkosten"}, True),
    ("GET", "/orders/{order}", None, False),
    ("POST", "/orders/{order}/delay", {"ship_by": "2026-03-20T17:00:00+01:00"}, False),
    ("GET", "/conversations/{conversation}", None, False),
    ("POST", "/conversations/{conversation}/messages", {"body": "hello"}, False),
    ("POST", "/conversations/{conversation}/takeover", None, False),
    ("GET", "/conversations?seller={seller}", None, False),
    ("GET", "/conversations?buyer={buyer}", None, False),
    ("GET", "/buyers/{buyer}", None, False),
    ("GET", "/accounts/{staff}", None, False),
    ("POST", "/accounts/{staff}/tokens", None, False),
    ("GET", "/accounts/{staff}/tokens", None, False),
    ("POST", "/accounts/{staff}/deactivate", None, False),
    ("GET", "/marketplaces/{marketplace}", None, False),
    ("GET", "/sellers?marketplace={marketplace}", None, False),
]
# requests naming the foreign resource in the body: refused as 403, 404 or 422 (unknown id)
BODY_ENDPOINTS: list[tuple[str, str, Any]] = [
    ("POST", "/conversations", {"seller": "{seller}", "buyer": "{buyer}", "body": "forwarded?"}),
    (
        "POST",
        "/sellers",
        {"id": "intruder", "marketplace": "{marketplace}", "name": "x", "country": "NL"},
    ),
    ("POST", "/buyers", {"id": "intruder", "marketplace": "{marketplace}", "name": "x"}),
    ("POST", "/accounts", {"role": "seller", "name": "x", "seller": "{seller}"}),
    (
        "POST",
        "/events",
        {
            "id": "intruder-ev",
            "type": "shop_closed",
            "at": "2026-03-02T10:00:00+01:00",
            "seller": "{seller}",
        },
    ),
]
ROLES = ["operator ebay", "agent ebay", "seller A", "staff A", "buyer A"]


def foreign(w: World, role: str, public: bool) -> dict[str, str]:
    """The resources the role must not reach: seller/buyer B (marketplace bol); for buyers'
    public reads, seller C's (marketplace ebay)."""
    if role == "buyer A" and public:
        return {"seller": "seller-c", "listing": "listing-c", "marketplace": "ebay"}
    if role in ("operator ebay", "agent ebay"):
        pass  # bol is outside their scope altogether
    return {
        "seller": "seller-b",
        "buyer": "buyer-b",
        "staff": w.ids["staff B"],
        "reply": w.ids["reply B"],
        "listing": "listing-b",
        "faq": w.ids["faq B"],
        "order": "order-b",
        "conversation": w.ids["conversation B"],
        "marketplace": "bol",
    }


def fill(template: Any, values: dict[str, str]) -> Any:
    if isinstance(template, str):
        return template.format(**values)
    if isinstance(template, dict):
        return {k: fill(v, values) for k, v in template.items()}
    return template


def snapshot(w: World) -> Any:
    """B's data as its own seller sees it: must be identical before and after the attacks."""
    get = w.get
    return (
        get("seller B", "/sellers/seller-b/saved-replies"),
        get("seller B", "/listings/listing-b"),
        get("seller B", "/sellers/seller-b/staff"),
        get("seller B", "/sellers/seller-b/proactive"),
        get("seller B", "/sellers/seller-b/contact", at="2026-03-02T10:00:00+01:00"),
        get("seller B", f"/conversations/{w.ids['conversation B']}"),
        get("seller B", "/orders/order-b"),
        get("operator", "/sellers", marketplace="bol"),
    )


@pytest.fixture
def world(client: TestClient) -> World:
    return build_world(client)


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_refuses_a_foreign_resource(world: World, role: str) -> None:
    before = snapshot(world)
    failures = []
    for method, path, body, public in ENDPOINTS:
        values = foreign(world, role, public)
        if "{" in path and any(k not in values for k in _keys(path)):
            continue  # the public variant has no such resource (e.g. a staff id of seller C)
        url = path.format(**values)
        r = world.c.request(method, url, json=body, headers=world.as_(role))
        # a filter on one's own conversations (a seller's with buyer B) may answer: none
        own_filter = url.startswith("/conversations?") and r.status_code == 200 and r.json() == []
        if r.status_code not in (403, 404) and not own_filter:
            failures.append(f"{role}: {method} {url} -> {r.status_code} {r.text[:200]}")
    for method, path, body in BODY_ENDPOINTS:
        values = foreign(world, role, False)
        r = world.c.request(method, path, json=fill(body, values), headers=world.as_(role))
        if r.status_code not in (403, 404, 422):
            failures.append(
                f"{role}: {method} {path} {fill(body, values)} -> {r.status_code} {r.text[:200]}"
            )
    assert not failures, "\n".join(failures)
    assert snapshot(world) == before


def _keys(path: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(path) if name]


def test_staff_of_one_seller_never_see_another_sellers_data(world: World) -> None:
    a = world.post("buyer A", "/conversations", {"seller": "seller-a", "body": "Vraag aan A"})[
        "conversation"
    ]["id"]
    for who in ("staff A", "seller A"):
        convs = world.get(who, "/conversations")
        assert {c["id"] for c in convs} == {a}
        assert all(c["seller_id"] == "seller-a" for c in convs)
        queue = world.get(who, "/sellers/seller-a/queue")["items"]
        assert [i["conversation"]["id"] for i in queue] == [a]
    # and the other way round: B's staff see only B's conversation
    assert {c["id"] for c in world.get("staff B", "/conversations")} == {
        world.ids["conversation B"]
    }
    # buyers see only their own conversations
    assert {c["id"] for c in world.get("buyer A", "/conversations")} == {a}
    # a scoped operator lists only its own marketplace
    assert {s["id"] for s in world.get("operator ebay", "/sellers")} == {"seller-c"}
    assert {m["id"] for m in world.get("operator ebay", "/marketplaces")} == {"ebay"}


def test_platform_roles_in_scope_do_see_the_seller(world: World) -> None:
    """The matrix is not vacuous: the same requests succeed for those allowed to make them."""
    cid = world.ids["conversation B"]
    assert (
        world.get("agent bol", f"/conversations/{cid}")["conversation"]["seller_id"] == "seller-b"
    )
    assert world.get("operator", "/sellers/seller-b/queue")["items"][0]["conversation"]["id"] == cid
    assert world.get("staff B", "/sellers/seller-b/queue")["items"][0]["conversation"]["id"] == cid
    assert (
        world.get("buyer A", "/sellers/seller-b/contact")["seller_id"] == "seller-b"
    )  # public to its buyers
    assert (
        world.get("staff B", f"/saved-replies/{world.ids['reply B']}")["id"] == world.ids["reply B"]
    )


def test_staff_and_buyers_cannot_change_seller_settings(world: World) -> None:
    c = world.c
    assert (
        c.post(
            "/sellers/seller-a/staff", json={"name": "x"}, headers=world.as_("staff A")
        ).status_code
        == 403
    )
    assert (
        c.put(
            "/sellers/seller-a/proactive", json={"enabled": True}, headers=world.as_("staff A")
        ).status_code
        == 403
    )
    assert (
        c.post(
            "/sellers/seller-a/saved-replies",
            json={"title": "x", "body": "y"},
            headers=world.as_("staff A"),
        ).status_code
        == 403
    )
    assert c.get("/sellers/seller-a/queue", headers=world.as_("buyer A")).status_code == 403
    assert (
        c.post(
            "/marketplaces",
            json={"id": "x", "preset": "bol", "title": "x"},
            headers=world.as_("seller A"),
        ).status_code
        == 403
    )
    assert c.post("/events", json={}, headers=world.as_("seller A")).status_code == 403
    assert (
        c.post(
            "/conversations", json={"seller": "seller-a", "body": "x"}, headers=world.as_("staff A")
        ).status_code
        == 403
    )


def _hostile_bodies(body: Any) -> list[Any]:
    """The body with a NUL byte in every text, and with NaN in place of its first text."""
    first = next((k for k, v in body.items() if isinstance(v, str)), None) if body else None
    if first is None:  # no text to spoil: the request itself is in the matrix above
        return []
    nul = {k: (f"{v}\u0000" if isinstance(v, str) else v) for k, v in body.items()}
    return [nul, {**body, first: float("nan")}]


AT_PATHS = {"/sellers/{seller}/queue", "/sellers/{seller}/contact"}  # reads that take ?at=
FAR_AT = ["3000-06-01T10:00:00Z", "0001-01-02T00:00:00Z", "774"]


@pytest.mark.parametrize("role", [*ROLES, "seller B"])
def test_hostile_inputs_are_refused_for_every_role(world: World, role: str) -> None:
    """Issue 11's hostile inputs across the matrix: NUL bytes and NaN in every body, instants
    out of range or not ISO 8601 in `?at=`, as every role, on foreign resources (and, for
    seller B, its own): always 403, 404 or 422, never a 2xx or a 500, and nothing changes."""
    import json as _json

    before = snapshot(world)
    failures = []
    values = foreign(world, "seller A" if role == "seller B" else role, False)
    for method, path, body, _public in ENDPOINTS:
        if "{" in path and any(k not in values for k in _keys(path)):
            continue
        url = path.format(**values)
        requests: list[tuple[str, bytes | None]] = [
            (url, _json.dumps(b).encode()) for b in _hostile_bodies(body)
        ]
        if method == "GET" and path in AT_PATHS:  # (other reads take no instant)
            sep = "&" if "?" in url else "?"
            requests += [(f"{url}{sep}at={at}", None) for at in FAR_AT]
        for target, raw in requests:
            headers = {**world.as_(role), "content-type": "application/json"}
            r = world.c.request(method, target, content=raw, headers=headers)
            if r.status_code not in (403, 404, 422):
                failures.append(
                    f"{role}: {method} {target} {raw!r} -> {r.status_code} {r.text[:200]}"
                )
            r.json()  # a JSON answer, whatever was sent
    assert not failures, "\n".join(failures)
    assert snapshot(world) == before


# -- ids of imported events (issue 11 item 8) -------------------------------------------------


def _events(ids: list[str], market: str = "ebay") -> list[dict[str, Any]]:
    """For each id: a question, a reply to it and a call, as a marketplace's systems send them
    (ebay: seller C, buyer C; bol: seller A, buyer A, other content)."""
    seller, buyer = ("seller-c", "buyer-c") if market == "ebay" else ("seller-a", "buyer-a")
    out: list[dict[str, Any]] = []
    for i in ids:
        conv, at = f"{market}-{i}", "2026-03-03T1{}:00:00+01:00"
        out += [
            {"id": f"{i}-q", "type": "question_opened", "at": at.format(0), "seller": seller}
            | {"conversation": conv, "buyer": buyer, "origin": "buyer", "body": f"{market}?"},
            {"id": f"{i}-m", "type": "message_sent", "at": at.format(1)}
            | {"conversation": conv, "author": "seller", "body": f"{market}!"},
            {"id": i, "type": "call_attempt", "at": at.format(2), "seller": seller}
            | {"answered": market == "ebay"},
        ]
    return out


def _answer(r: Any) -> Any:
    """An ingest answer with the ids it names made neutral (they differ by design)."""
    text = r.text
    for word in ("taken", "free"):
        text = text.replace(word, "ID")
    return r.status_code, json.loads(text)


def test_an_event_id_another_marketplace_uses_answers_as_a_free_one(world: World) -> None:
    """An operator's import answers the same for ids another marketplace's events hold as for
    ids no one uses (nothing tells it that bol has them), and takes nothing from bol."""
    c, ebay = world.c, world.as_("operator ebay")
    bol = _events(["taken-1", "taken-2"], "bol")
    assert world.post("operator", "/events/batch", bol, 200)["accepted"] == len(bol)
    before = snapshot(world)
    bol_thread = world.get("seller A", "/conversations/bol-taken-1")
    # one event at a time, then as a batch (the stored keys are what is compared)
    for taken, free in (("taken-1", "free-1"),):
        for a, b in zip(_events([taken]), _events([free]), strict=True):
            assert _answer(c.post("/events", json=a, headers=ebay)) == _answer(
                c.post("/events", json=b, headers=ebay)
            ), a
    batch = [_events(["taken-2"]), _events(["free-2"])]
    answers = [_answer(c.post("/events/batch", json=x, headers=ebay)) for x in batch]
    assert answers[0] == answers[1] and answers[0][1]["accepted"] == 3, answers
    # within ebay the ids are ids: a repeat is a duplicate, other content is refused
    again = c.post("/events/batch", json=batch[0] + batch[1], headers=ebay).json()
    assert again["duplicates"] == 6 and not again["errors"], again
    other = {**_events(["taken-2"])[2], "answered": False}
    r = c.post("/events", json=other, headers=ebay)
    assert r.status_code == 422 and "used by a different event" in r.text, r.text
    # bol's events and what they made are untouched; ebay's made their own
    assert snapshot(world) == before
    assert world.get("seller A", "/conversations/bol-taken-1") == bol_thread
    thread = world.get("seller C", "/conversations/ebay-taken-1")
    assert [m["body"] for m in thread["messages"]] == ["ebay?", "ebay!"]
    # and bol's own re-send is still a duplicate of bol's
    assert world.post("operator", "/events/batch", bol, 200)["duplicates"] == len(bol)


def test_an_event_about_another_marketplace_answers_as_an_unknown_one(world: World) -> None:
    """A scoped operator's event about another marketplace's seller, order or conversation is
    refused exactly as one about an id that does not exist."""
    c, ebay = world.c, world.as_("operator ebay")
    conv = world.ids["conversation B"]
    cases = [  # (field, foreign id, unknown id, event without the id)
        ("seller", "seller-b", "seller-zz", {"type": "shop_closed"}),
        ("seller", "seller-b", "seller-zz", {"type": "bill_paid", "bill": "b1"} | _money()),
        ("order", "order-b", "order-zz", {"type": "order_shipped"}),
        ("order", "order-b", "order-zz", {"type": "case_opened", "case": "k", "kind": "other"}),
        ("conversation", conv, "conv-zz", {"type": "message_sent", "author": "agent"}),
    ]
    before = snapshot(world)
    for field, foreign_id, unknown_id, event in cases:
        base = {"id": "probe", "at": "2026-03-03T12:00:00+01:00", **event}
        if event["type"] == "message_sent":
            base["body"] = "Hallo"
        answers = []
        for value in (foreign_id, unknown_id):
            r = c.post("/events", json={**base, field: value}, headers=ebay)
            answers.append((r.status_code, r.text.replace(value, "ID")))
        assert answers[0] == answers[1] and answers[0][0] == 422, (event, answers)
    assert snapshot(world) == before


def _money() -> dict[str, str]:
    return {"amount": "10.00", "currency": "EUR"}


def test_a_store_from_before_the_keys_keeps_recognising_its_events(
    client: TestClient, settings: Settings
) -> None:
    """A store whose events were stored under their bare ids (the revision before
    `0240_hardin_event_keys`), upgraded: a re-sent event is still a duplicate, other content
    under its id is still refused, and another marketplace's same id is free."""
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from servicenorm.store.db import make_engine
    from servicenorm.store.migrate import alembic_config, upgrade

    world = build_world(client)
    bol = _events(["old-1"], "bol")
    assert world.post("operator", "/events/batch", bol, 200)["accepted"] == 3
    cfg = alembic_config()
    before = ScriptDirectory.from_config(cfg).get_revision("0240_hardin_event_keys")
    assert before is not None and isinstance(before.down_revision, str)
    engine = make_engine(settings.resolved_database_url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, before.down_revision)
    with engine.connect() as conn:
        stored = set(conn.scalars(text("SELECT id FROM events")))
    assert {"old-1", "old-1-q", "old-1-m"} <= stored  # bare ids, as that revision stored them
    upgrade(engine)
    engine.dispose()
    c = world.c
    again = c.post("/events/batch", json=bol, headers=world.as_("operator")).json()
    assert again["duplicates"] == 3 and again["accepted"] == 0, again
    r = c.post("/events", json={**bol[2], "answered": True}, headers=world.as_("operator"))
    assert r.status_code == 422 and "used by a different event" in r.text, r.text
    ebay = c.post("/events/batch", json=_events(["old-1"]), headers=world.as_("operator ebay"))
    assert ebay.json()["accepted"] == 3, ebay.text


# -- page forms (issue 11): hostile text is a 422 form error on every store, never a 500 ------

# (who, path, fields with a harmless value and each field's max_length, 0: none of its own)
PAGE_FORMS: list[tuple[str, str, dict[str, tuple[str, int]]]] = [
    ("anyone", "/ui/login", {"token": ("sn_x", 200), "next": ("/ui/", 0)}),
    ("seller B", "/ui/logout", {}),
    (
        "seller B",
        "/ui/conversations/{conversation}/reply",
        {"body": ("Hallo", 20_000), "saved_reply": ("", 32), "back": ("", 20)},
    ),
    ("seller B", "/ui/conversations/{conversation}/check", {"body": ("Hallo", 20_000)}),
    (
        "seller B",
        "/ui/sellers/seller-b/complaints",
        {"action_id": ("a1", 32), "text": ("Onterecht", 5000)},
    ),
    ("seller B", "/ui/sellers/seller-b/contact", {"subject": ("s", 200), "text": ("t", 5000)}),
    ("agent bol", "/ui/conversations/{conversation}/takeover", {}),
    ("agent bol", "/ui/conversations/{conversation}/assign", {"agent": ("x", 32)}),
    ("agent bol", "/ui/takeovers/t1/assign", {}),
    ("operator", "/ui/actions/a1/lift", {"reason": ("r", 2000), "back": ("", 20)}),
    ("operator", "/ui/actions/a1/extend", {"end": ("2026-05-01", 30)}),
    (
        "operator",
        "/ui/sellers/seller-b/restrict",
        {"kind": ("k", 30), "reason_code": ("r", 30), "evidence": ("e", 2000), "end": ("", 30)},
    ),
    (
        "operator",
        "/ui/overview/simulate",
        {"marketplace": ("bol", 100), "target": ("", 20), "policy": ("", 200_000)},
    ),
]
NUL_FORM, SURROGATE_FORM = "a%00b", "a%ED%A0%80b"  # as a browser would encode them


def _page_client(world: World, who: str) -> tuple[TestClient, str]:
    """A browser of its own, logged in on the pages as `who`, and its forms' CSRF value (as
    the pages derive it: rendering a page only to read it would cost a metric run)."""
    from servicenorm.helpdesk.websessions import csrf_for

    browser = TestClient(world.c.app, raise_server_exceptions=False)  # a 500 is an answer here
    if who == "anyone":
        return browser, ""
    r = browser.post("/ui/login", data={"token": world.tokens[who]}, follow_redirects=False)
    assert r.status_code == 303, r.text
    pepper = world.c.app.state.container.pepper  # type: ignore[attr-defined]
    return browser, csrf_for(browser.cookies["sn_session"], pepper)


def test_hostile_page_forms_are_a_form_error_on_every_store(world: World) -> None:
    """Every page form, each of its fields with a NUL byte and one character over its limit,
    an encoded lone surrogate (the body is checked as sent: in its first and last field), and a
    NUL byte in its path: a 4xx (422 for the texts, with the form-error page), never a 500, and
    nothing changes. A CSRF value with non-ASCII text
    (`é`) is a 403, not a 500."""
    from urllib.parse import quote

    before = snapshot(world)
    browsers = {who: _page_client(world, who) for who in {w for w, _, _ in PAGE_FORMS}}
    hostile, plain = [], []
    for who, path, fields in PAGE_FORMS:
        url = path.format(conversation=world.ids["conversation B"])
        base = {name: quote(value) for name, (value, _) in fields.items()}
        for i, (name, (_value, limit)) in enumerate({"csrf": ("", 0), **fields}.items()):
            hostile.append((who, url, base, name, NUL_FORM))
            if i in (0, len(fields)):  # (checked on the whole body as sent: two fields do)
                hostile.append((who, url, base, name, SURROGATE_FORM))
            if limit:
                hostile.append((who, url, base, name, "x" * (limit + 1)))
        ids = (world.ids["conversation B"], "seller-b", "t1", "a1")
        named = next((i for i in ids if f"/{i}/" in url), None)  # a NUL byte in the path's id
        nul_path = url.replace(f"/{named}/", f"/{named}%00/") if named else f"{url}?n=%00"
        hostile.append((who, nul_path, base, "", ""))
        if who != "anyone":  # (the login form has no CSRF value: no session yet)
            plain.append((who, url, base, "csrf", "%C3%A9"))  # compared as bytes, not as str
    failures = []
    for who, url, base, name, raw in hostile:
        browser, csrf = browsers[who]
        r = _send_form(browser, url, {**base, "csrf": csrf}, name, raw)
        expected = r.status_code == 422 if name else 400 <= r.status_code < 500
        if not expected or "text/html" not in r.headers.get("content-type", ""):
            failures.append(f"{who}: POST {url} {name}={raw[:12]}: {r.status_code}")
    assert not failures, "\n".join(failures)
    assert snapshot(world) == before
    for who, url, base, name, raw in plain:
        browser, csrf = browsers[who]
        r = _send_form(browser, url, {**base, "csrf": csrf}, name, raw)
        if r.status_code != 403:
            failures.append(f"{who}: POST {url} {name}={raw}: {r.status_code}")
    assert not failures, "\n".join(failures)


def _send_form(browser: TestClient, url: str, fields: dict[str, str], name: str, raw: str) -> Any:
    """A form as a browser encodes it, with field `name` holding `raw` (already encoded)."""
    body = "&".join(f"{k}={raw if k == name else v}" for k, v in fields.items())
    return browser.post(
        url,
        content=body.encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )

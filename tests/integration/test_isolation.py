"""R6.2: no role reads or writes another seller's or buyer's data. Every endpoint x every
role x a foreign resource answers 403 or 404 (422 where the foreign id is in the body), and
nothing changes; staff of seller A never see seller B."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

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

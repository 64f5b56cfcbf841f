"""Issue 11 item 13: the role table in `servicenorm.helpdesk.roles` is what the API does, and
docs/security.md shows that same table.

Every row of the table is probed for every role on a resource in the caller's own scope: the
roles the table names succeed, every other role is refused (403, or 404 where it may not even
see the resource). The foreign-resource matrix is test_isolation.py; this is the other half."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from servicenorm.helpdesk.roles import BY_ACTION, ROLES, TABLE, markdown
from tests.integration.world import World, build_world

WHO = {
    "operator": "operator",
    "agent": "agent bol",
    "seller": "seller A",
    "staff": "staff A",
    "buyer": "buyer A",
}
AT = "2026-03-02T10:00:00+01:00"


def _setup(w: World) -> None:
    w.event(
        {
            "id": "ev-order-a",
            "type": "order_placed",
            "at": AT,
            "order": "order-a",
            "seller": "seller-a",
            "buyer": "buyer-a",
            "ship_by": "2026-03-04T17:00:00+01:00",
            "category": "books",
            "amount": "10.00",
            "currency": "EUR",
        }
    )
    for name in ("open", "taken", *(f"takeover {r}" for r in ROLES)):
        w.ids[name] = w.post("buyer A", "/conversations", {"seller": "seller-a", "body": name})[
            "conversation"
        ]["id"]
    w.post("agent bol", f"/conversations/{w.ids['taken']}/takeover", status=200)


def _request(w: World, role: str, method: str, path: str, body: Any = None) -> Response:
    return w.c.request(method, path, json=body, headers=w.as_(WHO[role]))


def _revoke_own(w: World, role: str) -> Response:
    account = w.ids[WHO[role]] if role != "operator" else w.get("operator", "/me")["account_id"]
    token = w.post("operator", f"/accounts/{account}/tokens")["token_id"]
    return _request(w, role, "DELETE", f"/accounts/{account}/tokens/{token}")


def _deactivate(w: World, role: str) -> Response:
    # a staff member of seller A, made for the probe: the seller's own staff, in every scope
    staff = w.post("seller A", "/sellers/seller-a/staff", {"name": f"probe {role}"})
    return _request(w, role, "POST", f"/accounts/{staff['account']['id']}/deactivate")


def _open(w: World, role: str) -> Response:
    body = {"seller": "seller-a", "body": "Een vraag"}
    if role != "buyer":
        body["buyer"] = "buyer-a"
    return _request(w, role, "POST", "/conversations", body)


def _answer(w: World, role: str) -> Response:
    cid = w.ids["taken" if role == "agent" else "open"]  # an agent answers after a takeover
    return _request(w, role, "POST", f"/conversations/{cid}/messages", {"body": "Een antwoord"})


PROBES: dict[str, Callable[[World, str], Response]] = {
    "create marketplaces": lambda w, r: _request(
        w, r, "POST", "/marketplaces", {"id": f"m-{r}", "preset": "bol", "title": r}
    ),
    "read marketplaces": lambda w, r: _request(w, r, "GET", "/marketplaces/bol"),
    "list sellers": lambda w, r: _request(w, r, "GET", "/sellers?marketplace=bol"),
    "read a seller's public face": lambda w, r: _request(w, r, "GET", "/sellers/seller-a"),
    "create sellers, buyers and accounts": lambda w, r: _request(
        w, r, "POST", "/buyers", {"id": f"new-{r}", "marketplace": "bol", "name": r}
    ),
    "ingest events": lambda w, r: _request(
        w,
        r,
        "POST",
        "/events",
        {
            "id": f"ev-{r}",
            "type": "seller_registered",
            "at": AT,
            "seller": f"reg-{r}",
            "marketplace": "bol",
            "country": "NL",
        },
    ),
    "read a buyer": lambda w, r: _request(w, r, "GET", "/buyers/buyer-a"),
    "work a seller's desk": lambda w, r: _request(w, r, "GET", "/sellers/seller-a/queue"),
    "read an order": lambda w, r: _request(w, r, "GET", "/orders/order-a"),
    "manage a seller": lambda w, r: _request(
        w, r, "PUT", "/sellers/seller-a/contact", {"expected_response": "1h"}
    ),
    "announce an order's delay": lambda w, r: _request(
        w, r, "POST", "/orders/order-a/delay", {"ship_by": "2026-03-20T17:00:00+01:00"}
    ),
    "open a conversation": _open,
    "answer in a conversation": _answer,
    "take a conversation over": lambda w, r: _request(
        w, r, "POST", f"/conversations/{w.ids[f'takeover {r}']}/takeover"
    ),
    "revoke a token": _revoke_own,
    "deactivate an account": _deactivate,
}


def test_every_row_of_the_role_table_is_what_the_api_does(client: TestClient) -> None:
    assert set(PROBES) == set(BY_ACTION)  # a new row needs its probe here
    w = build_world(client)
    _setup(w)
    wrong = []
    for permission in TABLE:
        for role in ROLES:
            r = PROBES[permission.action](w, role)
            allowed = role in permission.roles
            if (200 <= r.status_code < 300) != allowed or (
                not allowed and r.status_code not in (403, 404)
            ):
                expected = "2xx" if allowed else "403/404"
                wrong.append(
                    f"{permission.action} as {role}: {r.status_code} (table: {expected}) "
                    f"{r.text[:160]}"
                )
    assert not wrong, "\n".join(wrong)


def test_the_security_page_shows_the_role_table_of_the_code() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text()
    assert markdown() in page, "docs/security.md: paste servicenorm.helpdesk.roles.markdown()"

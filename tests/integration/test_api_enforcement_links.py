"""What the helpdesk API owes enforcement: a seller made through the API is registered in the
event log, and an agent's takeover through the helpdesk is enforcement's takeover (queued,
assigned, resolved, charged once at the policy's cost)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from servicenorm.enforce.loader import load_log
from servicenorm.events import parse_event
from servicenorm.store.tables import EventRow
from tests.integration.world import World, ok


def _sessions(client: TestClient) -> Any:
    return client.app.state.container.sessions  # type: ignore[attr-defined]


def test_a_seller_created_through_the_api_is_registered_in_the_event_log(
    client: TestClient,
) -> None:
    w = World(client, tokens={"operator": "sn_test_operator_token"})
    w.post("operator", "/marketplaces", {"id": "shop-nl", "preset": "bol", "title": "Shop NL"})
    w.post(
        "operator",
        "/sellers",
        {
            "id": "fietsen",
            "marketplace": "shop-nl",
            "name": "Fietsen",
            "country": "BE",
            "linked_sellers": ["fietsen-nl"],
        },
    )
    with _sessions(client)() as s:
        rows = list(s.scalars(select(EventRow).where(EventRow.type == "seller_registered")))
        assert [(r.seller_id, r.id.startswith("api-")) for r in rows] == [("fietsen", True)]
        e = parse_event(rows[0].payload)  # a contract event, as if the operator had sent it
        assert (e.seller, e.marketplace, e.country, e.linked_sellers) == (
            "fietsen",
            "shop-nl",
            "BE",
            ["fietsen-nl"],
        )
        regs = load_log(s, "shop-nl").table("seller_registered").to_pylist()
        assert [(r["id"], r["marketplace"]) for r in regs] == [
            (rows[0].id, "bol")
        ]  # none derived besides


def _swopify(w: World) -> str:
    """A swopify marketplace (its policy takes conversations over at 25 EUR a case), a seller,
    a buyer with a question, an agent; returns the conversation."""
    w.post("operator", "/marketplaces", {"id": "swop", "preset": "swopify", "title": "Swopify"})
    w.post(
        "operator",
        "/sellers",
        {"id": "phones", "marketplace": "swop", "name": "Phones", "country": "PL"},
    )
    w.post(
        "operator", "/buyers", {"id": "ola", "marketplace": "swop", "name": "Ola", "language": "pl"}
    )
    w.account("seller", "seller", seller="phones")
    w.account("buyer", "buyer", buyer="ola")
    w.account("agent", "agent", marketplace="swop")
    return str(
        w.post("buyer", "/conversations", {"seller": "phones", "body": "Telefon jest zablokowany"})[
            "conversation"
        ]["id"]
    )


def test_an_agents_takeover_is_queued_assigned_and_charged_once(client: TestClient) -> None:
    w = World(client, tokens={"operator": "sn_test_operator_token"})
    cid = _swopify(w)
    took = w.post("agent", f"/conversations/{cid}/takeover", None, 200)
    assert took["taken_over_at"] is not None
    assert client.post(f"/conversations/{cid}/takeover", headers=w.as_("agent")).status_code == 409
    [t] = w.get("agent", "/enforcement/takeovers", state="assigned")
    assert (t["conversation_id"], t["trigger"], t["agent_id"]) == (
        cid,
        "ignored_complaint",
        w.ids["agent"],
    )
    r = client.post(
        f"/conversations/{cid}/messages", headers=w.as_("seller"), json={"body": "Już sprawdzam"}
    )
    assert r.status_code == 409
    w.post("agent", f"/conversations/{cid}/messages", {"body": "Zajmiemy się tym."})
    ok(
        client.post(
            f"/enforcement/takeovers/{t['id']}/resolve",
            headers=w.as_("agent"),
            json={"resolution": "answered"},
        )
    )
    assert (
        client.post(
            f"/enforcement/takeovers/{t['id']}/resolve",
            headers=w.as_("agent"),
            json={"resolution": "answered"},
        ).status_code
        == 409
    )
    ledger = w.get("operator", "/enforcement/sellers/phones/ledger")
    assert [(e["takeover_id"], e["amount"], e["currency"]) for e in ledger] == [
        (t["id"], "25.00", "EUR")
    ]


def test_a_takeover_names_its_reason_where_the_policy_has_takeovers(client: TestClient) -> None:
    w = World(client, tokens={"operator": "sn_test_operator_token"})
    cid = _swopify(w)
    r = client.post(
        f"/conversations/{cid}/takeover",
        headers=w.as_("operator"),
        json={"trigger": "no_such_reason"},
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "trigger"]
    took = w.post(
        "operator",
        f"/conversations/{cid}/takeover",
        {"trigger": "counterfeit", "note": "podróbka"},
        200,
    )
    assert took["taken_over_at"] is not None
    [t] = w.get(
        "agent", "/enforcement/takeovers"
    )  # an operator's takeover waits for an agent to claim it
    assert (t["conversation_id"], t["trigger"], t["note"], t["state"]) == (
        cid,
        "counterfeit",
        "podróbka",
        "queued",
    )
    w.post("operator", "/marketplaces", {"id": "bol", "preset": "bol", "title": "bol.com"})
    w.post(
        "operator",
        "/sellers",
        {"id": "boeken", "marketplace": "bol", "name": "Boeken", "country": "NL"},
    )
    w.post(
        "operator",
        "/buyers",
        {"id": "anna", "marketplace": "bol", "name": "Anna", "language": "nl"},
    )
    bol = w.post(
        "operator", "/conversations", {"seller": "boeken", "buyer": "anna", "body": "Doorgestuurd"}
    )
    bol_id = bol["conversation"]["id"]
    r = client.post(
        f"/conversations/{bol_id}/takeover",
        headers=w.as_("operator"),
        json={"trigger": "counterfeit"},
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == [
        "body",
        "trigger",
    ]  # bol takes nothing over
    assert (
        w.post("operator", f"/conversations/{bol_id}/takeover", None, 200)["taken_over_at"]
        is not None
    )
    assert [x["conversation_id"] for x in w.get("operator", "/enforcement/takeovers")] == [cid]
    assert w.get("operator", "/enforcement/takeovers", state="assigned") == []

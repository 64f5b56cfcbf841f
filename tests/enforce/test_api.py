"""The enforcement API: restrictions an operator's systems can obey, capabilities, linked
shops, lifting, badge removal, the agent's takeover queue, absences and vacation mode, and
who may see and do what."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from servicenorm.bootstrap import Container
from servicenorm.clock.source import running_clock
from servicenorm.helpdesk.accounts import ensure_operator_token, issue_token
from servicenorm.settings import Settings
from servicenorm.store.tables import Account
from servicenorm.web.app import create_app
from tests.enforce import factories as fx

OP = "sn_test_enforcement_operator_000001"
T0 = datetime(2026, 11, 4, 9, 0, tzinfo=UTC)  # a Wednesday; the app's clock runs from a day later


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    engine, sessions = fx.migrated(tmp_path)
    settings = Settings(environment="test", database_url=str(engine.url))
    c = Container(settings, engine, sessions, running_clock(T0 + timedelta(days=1)))
    tokens = {"op": OP}
    with sessions.begin() as s:
        ensure_operator_token(s, OP, c.pepper, T0)
        fx.market(s, "etsy", "etsy", T0)
        fx.market(s, "swopify", "swopify", T0)
        fx.seller(s, "a", "etsy", T0, linked=["b"])
        fx.seller(s, "b", "etsy", T0)
        fx.seller(s, "phones", "swopify", T0, country="PL")
        for name in ("a", "b"):
            acc = s.get(Account, f"acc-{name}")
            assert acc is not None
            tokens[name] = issue_token(s, acc, c.pepper, T0, f"sn_test_seller_{name}_0000000000000")
        agent = Account(
            id="agent-1", role="agent", name="Ania", email=None, active=True, created_at=T0
        )
        s.add(agent)
        s.flush()
        tokens["agent"] = issue_token(s, agent, c.pepper, T0, "sn_test_agent_000000000000000000")
        fx.ingest(
            s,
            [
                fx.ev(
                    "question_opened",
                    "q1",
                    T0,
                    conversation="c1",
                    seller="phones",
                    buyer="b1",
                    origin="buyer",
                    body="Telefon zablokowany",
                )
            ],
            T0,
        )
    app = create_app(settings, container=c)  # the enforcement router is part of the API
    with TestClient(app) as client:
        yield client, tokens
    engine.dispose()


def h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_an_operator_restricts_a_shop_and_its_linked_shop_and_lifts_both(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    client, tok = api
    r = client.post(
        "/enforcement/sellers/a/restrictions",
        headers=h(tok["op"]),
        json={
            "kind": "suspend_trading",
            "reason_code": "terms_violation",
            "reason": "counterfeit listings",
            "evidence": ["listing 5531"],
        },
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert [(x["seller_id"], x["origin"], x["end_at"]) for x in made] == [
        ("a", "operator", None),
        ("b", "linked", None),
    ]
    force = client.get("/enforcement/restrictions", headers=h(tok["op"])).json()
    assert {x["seller_id"] for x in force} == {"a", "b"}
    cap = client.get("/enforcement/sellers/b/capabilities", headers=h(tok["op"])).json()
    assert cap["allowed"]["can_sell"] is False and cap["blocked_by"]["can_sell"] == [made[1]["id"]]
    assert client.get("/enforcement/sellers/a/restrictions", headers=h(tok["op"])).status_code in (
        404,
        405,
    )
    lifted = client.post(
        f"/enforcement/actions/{made[0]['id']}/lift",
        headers=h(tok["op"]),
        json={"reason": "appeal upheld"},
    )
    assert lifted.status_code == 200 and {x["state"] for x in lifted.json()} == {"lifted"}
    again = client.post(
        f"/enforcement/actions/{made[0]['id']}/lift", headers=h(tok["op"]), json={"reason": "again"}
    )
    assert again.status_code == 409
    assert client.get("/enforcement/restrictions", headers=h(tok["op"])).json() == []
    audit = client.get("/enforcement/sellers/a/audit", headers=h(tok["op"])).json()
    assert [e["event"] for e in audit if e["subject"] == "action"] == ["started", "lifted"]


def test_sellers_see_only_their_own_and_cannot_restrict(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    client, tok = api
    assert client.get("/enforcement/restrictions?seller=a", headers=h(tok["a"])).status_code == 200
    assert client.get("/enforcement/restrictions?seller=b", headers=h(tok["a"])).status_code == 404
    assert client.get("/enforcement/restrictions", headers=h(tok["a"])).status_code == 403
    r = client.post(
        "/enforcement/sellers/a/restrictions",
        headers=h(tok["a"]),
        json={"kind": "pause_shop", "reason_code": "operator", "reason": "x"},
    )
    assert r.status_code == 403
    assert client.get("/enforcement/sellers/a/audit", headers=h(tok["a"])).status_code == 403
    assert client.get("/enforcement/restrictions").status_code == 401


def test_badge_removal_banner_and_vacation_mode(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tok = api
    r = client.post(
        "/enforcement/sellers/a/badge-removals",
        headers=h(tok["op"]),
        json={"reason": "manipulation", "permanent": True},
    )
    assert r.status_code == 200 and r.json()["excluded"] is True
    assert (
        client.get("/enforcement/sellers/b/badges", headers=h(tok["op"])).json() == []
    )  # linked shop untouched
    bad = client.post(
        "/enforcement/sellers/a/badge-removals", headers=h(tok["op"]), json={"reason": "criteria"}
    )
    assert bad.status_code == 422
    v = client.put("/enforcement/sellers/a/vacation", headers=h(tok["a"]), json={"closed": True})
    assert (
        v.status_code == 200
        and v.json()["allowed"]["accepts_orders"] is False
        and v.json()["phone_visible"] is False
    )
    assert v.json()["deadlines_running"] is True


def test_the_agent_takes_over_a_locked_phone_and_resolves_it(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    client, tok = api
    r = client.post(
        "/enforcement/takeovers",
        headers=h(tok["agent"]),
        json={
            "trigger": "google_account_lock",
            "conversation": "c1",
            "note": "FRP lock on delivery",
        },
    )
    assert r.status_code == 201, r.text
    t = r.json()
    assert t["state"] == "assigned" and t["agent_id"] == "agent-1"
    assert (
        client.post(
            "/enforcement/takeovers",
            headers=h(tok["agent"]),
            json={"trigger": "counterfeit", "conversation": "c1"},
        ).status_code
        == 409
    )
    assert (
        client.get("/enforcement/takeovers?state=assigned", headers=h(tok["agent"])).json()[0]["id"]
        == t["id"]
    )
    done = client.post(
        f"/enforcement/takeovers/{t['id']}/resolve",
        headers=h(tok["agent"]),
        json={"resolution": "refund", "cost": "40.00"},
    )
    assert done.status_code == 200 and done.json()["state"] == "resolved"
    ledger = client.get("/enforcement/sellers/phones/ledger", headers=h(tok["op"])).json()
    assert [(e["amount"], e["currency"]) for e in ledger] == [("40.00", "EUR")]
    assert client.get("/enforcement/takeovers", headers=h(tok["a"])).status_code == 403


def test_openapi_documents_the_enforcement_endpoints(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    client, _ = api
    paths = client.get("/openapi.json").json()["paths"]
    for p in (
        "/enforcement/restrictions",
        "/enforcement/sellers/{seller_id}/capabilities",
        "/enforcement/takeovers/{takeover_id}/resolve",
        "/enforcement/sellers/{seller_id}/absences",
    ):
        assert p in paths

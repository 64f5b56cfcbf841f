"""Statements of reasons and complaints through the API (P2B Art. 4, 11; DSA Art. 17, 20):
an operator's restriction comes with its statement (refused without evidence), the seller
reads it (JSON and a printable page) and contests it within the window, the agent works the
queue by its working-time deadline and reverses it: the shop and its linked shop are
reinstated, the badge comes back, the takeover charge is credited, the seller is told."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from servicenorm.bootstrap import Container
from servicenorm.enforce.enforce_tables import (
    Action,
    AuditEntry,
    BadgeRow,
    LedgerEntry,
    Statement,
)
from servicenorm.helpdesk.accounts import ensure_operator_token, issue_token
from servicenorm.notify.notify_tables import OutboxMessage
from servicenorm.settings import Settings
from servicenorm.store.tables import Account
from servicenorm.web.app import create_app
from tests.enforce import factories as fx

OP = "sn_test_decisions_operator_0000001"
T0 = datetime(2026, 3, 2, 10, tzinfo=UTC)  # a Monday


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def api(
    tmp_path: Path,
) -> Iterator[tuple[TestClient, dict[str, str], Clock, sessionmaker[Session]]]:
    engine, sessions = fx.migrated(tmp_path)
    settings = Settings(environment="test", database_url=str(engine.url))
    clock = Clock()  # the container's clock: pages, API and the body-limit middleware read it
    c = Container(settings, engine, sessions, clock=clock)
    tokens = {"op": OP}
    with sessions.begin() as s:
        ensure_operator_token(s, OP, c.pepper, T0)
        fx.market(s, "etsy", "etsy", T0)
        fx.seller(s, "a", "etsy", T0 - timedelta(days=400), linked=["b"], country="DE")
        fx.seller(s, "b", "etsy", T0 - timedelta(days=400), country="PL")
        for name in ("a", "b"):
            acc = s.get(Account, f"acc-{name}")
            assert acc is not None
            tokens[name] = issue_token(s, acc, c.pepper, T0, f"sn_test_dseller_{name}_000000000000")
        agent = Account(
            id="agent-1", role="agent", name="Ania", email=None, active=True, created_at=T0
        )
        s.add(agent)
        s.flush()
        tokens["agent"] = issue_token(s, agent, c.pepper, T0, "sn_test_dagent_00000000000000000")
        s.add(
            BadgeRow(
                id="badge-a",
                seller_id="a",
                badge="Star Seller",
                policy="etsy",
                status="awarded",
                since=T0 - timedelta(days=30),
                excluded=False,
                last_met=True,
                last_check={},
                version=1,
            )
        )
    app = create_app(settings, container=c)
    with TestClient(app) as client:
        yield client, tokens, clock, sessions
    engine.dispose()


def h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


RESTRICT = {
    "kind": "pause_shop",
    "reason_code": "terms_violation",
    "reason": "three listings copied from another shop's photos",
    "evidence": ["listing 48213", "listing 48214", "listing 48220"],
}


def test_statement_complaint_and_reversal(
    api: tuple[TestClient, dict[str, str], Clock, sessionmaker[Session]],
) -> None:
    client, tok, clock, sessions = api
    bare = client.post(
        "/enforcement/sellers/a/restrictions",
        headers=h(tok["op"]),
        json={k: v for k, v in RESTRICT.items() if k != "evidence"},
    )
    assert bare.status_code == 422 and "specific fact" in bare.text and "evidence" in bare.text
    made = client.post("/enforcement/sellers/a/restrictions", headers=h(tok["op"]), json=RESTRICT)
    assert made.status_code == 201, made.text
    main, child = made.json()
    with sessions() as s:
        assert s.scalars(select(Statement)).all() != []  # stored with the decision
        ledger = LedgerEntry(
            id="charge-1",
            key="takeover:t1",
            seller_id="a",
            takeover_id="t1",
            amount="25.00",
            currency="USD",
            description="takeover t1",
            at=T0 + timedelta(hours=2),
            recorded_at=T0 + timedelta(hours=2),
        )
        s.add(ledger)
        s.commit()

    st = client.get(f"/enforcement/actions/{main['id']}/statement", headers=h(tok["a"]))
    assert st.status_code == 200, st.text
    data = st.json()
    assert (data["locale"], data["kind"], data["automated_decision"], data["dsa"]) == (
        "de",
        "pause_shop",
        "not",
        True,
    )
    c = data["content"]
    assert c["facts"][0]["ids"] == RESTRICT["evidence"]
    assert c["ground"]["terms_url"].startswith("https://") and c["measure"]["until_lifted"]
    assert c["redress"]["complaint_until"] == (T0 + timedelta(days=183)).isoformat()
    assert "listing 48213" in c["text"] and "Begründung" in c["subject"]
    page = client.get(
        f"/enforcement/actions/{main['id']}/statement?format=html", headers=h(tok["a"])
    )
    assert page.headers["content-type"].startswith("text/html") and "48214" in page.text
    # the linked shop has its own statement, in Polish; it cannot read the other shop's
    sb = client.get(f"/enforcement/actions/{child['id']}/statement", headers=h(tok["b"])).json()
    assert sb["locale"] == "pl" and sb["content"]["ground"]["linked_from"] == "a"
    assert (
        client.get(f"/enforcement/actions/{main['id']}/statement", headers=h(tok["b"])).status_code
        == 404
    )

    # the seller complains; the platform cannot complain in its name
    assert (
        client.post(
            f"/enforcement/actions/{main['id']}/complaints",
            headers=h(tok["agent"]),
            json={"text": "x"},
        ).status_code
        == 403
    )
    clock.now = T0 + timedelta(days=3, hours=5)  # Thursday 15:00
    filed = client.post(
        f"/enforcement/actions/{main['id']}/complaints",
        headers=h(tok["a"]),
        json={"text": "The photos are mine; see the originals I uploaded in 2024."},
    )
    assert filed.status_code == 201, filed.text
    comp = filed.json()
    # 40 working hours on Mon-Fri 09:00-17:00 from Thursday 15:00: Friday 8 h, then 4 days
    # and 2 h = the Friday after next at 17:00... exactly: 2 + 8 + 8*3 + 6 = 40 -> Thu 15:00
    assert comp["due_at"] == "2026-03-12T15:00:00Z"
    queue = client.get("/enforcement/complaints", headers=h(tok["agent"])).json()
    assert [q["id"] for q in queue] == [comp["id"]]
    assert client.get("/enforcement/complaints", headers=h(tok["a"])).status_code == 403

    # only a person of the platform decides
    decide = f"/enforcement/complaints/{comp['id']}/decision"
    body = {"outcome": "reversed", "reasons": "The seller showed the original photos."}
    assert client.post(decide, headers=h(tok["a"]), json=body).status_code == 403
    clock.now = T0 + timedelta(days=4)
    done = client.post(decide, headers=h(tok["agent"]), json=body)
    assert done.status_code == 200, done.text
    assert (done.json()["decided_by"], done.json()["outcome"]) == ("agent-1", "reversed")
    assert client.post(decide, headers=h(tok["agent"]), json=body).status_code == 409

    with sessions() as s:
        states = {a.seller_id: a.state for a in s.scalars(select(Action))}
        assert states == {"a": "lifted", "b": "lifted"}
        badge = s.get(BadgeRow, "badge-a")
        assert badge is not None and badge.status == "awarded"
        # a charge is contested on its own decision, not with a restriction
        assert s.scalars(select(LedgerEntry).where(LedgerEntry.amount.like("-%"))).all() == []
        mail = s.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "complaint_decided")
        ).one()
        assert mail.seller_id == "a" and mail.locale == "de" and "Begründung" in mail.body
        trail = [
            (e.subject, e.event, e.actor)
            for e in s.scalars(select(AuditEntry).where(AuditEntry.subject == "complaint"))
        ]
        assert trail == [("complaint", "filed", "acc-a"), ("complaint", "decided", "agent-1")]


def test_a_late_complaint_is_refused_with_the_date_the_window_closed(
    api: tuple[TestClient, dict[str, str], Clock, sessionmaker[Session]],
) -> None:
    client, tok, clock, _ = api
    made = client.post("/enforcement/sellers/a/restrictions", headers=h(tok["op"]), json=RESTRICT)
    action: dict[str, Any] = made.json()[0]
    clock.now = T0 + timedelta(days=184)
    late = client.post(
        f"/enforcement/actions/{action['id']}/complaints", headers=h(tok["a"]), json={"text": "no"}
    )
    assert late.status_code == 422 and "closed on 2026-09-01" in late.text


def test_the_seller_sees_the_countdown_reads_the_statement_and_complains_from_the_page(
    api: tuple[TestClient, dict[str, str], Clock, sessionmaker[Session]],
) -> None:
    import re

    client, tok, clock, sessions = api
    term = client.post(
        "/enforcement/sellers/a/restrictions",
        headers=h(tok["op"]),
        json={**RESTRICT, "kind": "suspend_permanently", "linked": False},
    )
    assert term.status_code == 201, term.text
    action = term.json()[0]
    assert (
        action["start_at"] == "2026-04-01T10:00:00Z"
        and action["stated_at"] == "2026-03-02T10:00:00Z"
    )
    clock.now = T0 + timedelta(days=10)
    client.post("/ui/login", data={"token": tok["a"]})
    page = client.get("/ui/sellers/a/performance")
    assert page.status_code == 200, page.text
    assert 'id="decisions"' in page.text, page.text[-3000:]
    assert 'data-testid="countdown"' in page.text and "20" in page.text
    link = re.search(r'href="(/ui/sellers/a/decisions/[^"]+/statement)"', page.text)
    assert link is not None
    printable = client.get(link.group(1))
    assert printable.status_code == 200 and "48213" in printable.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    sent = client.post(
        "/ui/sellers/a/complaints",
        data={"csrf": csrf.group(1), "action_id": action["id"], "text": "I removed the copies."},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    client.cookies.clear()
    queue = client.get("/enforcement/complaints", headers=h(tok["agent"])).json()
    assert [(q["action_id"], q["filed_by"]) for q in queue] == [(action["id"], "acc-a")]
    done = client.post(
        f"/enforcement/complaints/{queue[0]['id']}/decision",
        headers=h(tok["agent"]),
        json={"outcome": "partly_reversed", "reasons": "The copies were removed in time."},
    )
    assert done.status_code == 200, done.text
    with sessions() as s:
        row = s.get(Action, action["id"])
        assert row is not None and row.state == "cancelled"  # lifted during its notice period
    client.post("/ui/login", data={"token": tok["a"]})
    # seller a is in Germany: without a language asked for, its page is German
    after = client.get("/ui/sellers/a/performance", headers={"Accept-Language": "en"}).text
    assert 'data-testid="countdown"' not in after and "the decision is partly reversed" in after


def test_a_reversed_ladder_step_steps_the_ladder_back(tmp_path: Path) -> None:
    from servicenorm.enforce.complaints import _step_back
    from servicenorm.enforce.ladder_store import position

    with fx.store(tmp_path) as sessions, sessions() as s:
        fx.market(s, "etsy", "etsy", T0)
        fx.seller(s, "s:suspend", "etsy", T0)
        pos = position(s, "s:suspend", "etsy")
        pos.level = 5
        s.flush()
        row = Action(
            id="a1",
            key="etsy:s:suspend:ladder:c0:s5:suspend_trading",
            seller_id="s:suspend",
            policy="etsy",
            kind="suspend_trading",
            origin="ladder",
            reason="",
            reason_code="norms",
            findings=[],
            start_at=T0,
            state="lifted",
            created_by="system",
            recorded_at=T0,
        )
        _step_back(s, row)
        s.refresh(pos)
        assert pos.level == 4


def test_a_badge_removal_and_a_takeover_charge_are_decisions_the_seller_can_contest(
    api: tuple[TestClient, dict[str, str], Clock, sessionmaker[Session]],
) -> None:
    from servicenorm.enforce import takeover
    from servicenorm.enforce.enforce_tables import Takeover
    from servicenorm.enforce.notices import Notifier
    from servicenorm.policy import load_preset

    client, tok, _clock, sessions = api
    bare = client.post(
        "/enforcement/sellers/a/badge-removals",
        headers=h(tok["op"]),
        json={"reason": "manipulation"},
    )
    assert bare.status_code == 422 and "specific fact" in bare.text
    removed = client.post(
        "/enforcement/sellers/a/badge-removals",
        headers=h(tok["op"]),
        json={"reason": "manipulation", "note": "reviews from the seller's own accounts",
              "evidence": ["review 9001"]},
    )  # fmt: skip
    assert removed.status_code == 200 and removed.json()["status"] == "removed"
    etsy = load_preset("etsy").model_copy(update={"takeover": load_preset("swopify").takeover})
    with sessions() as s:
        t = Takeover(
            id="t1", key="conv:c1", seller_id="a", marketplace="etsy", conversation_id="c1",
            trigger="missed_deadline", note="", state="resolved", at=T0, resolution="refund",
            recorded_at=T0, version=1,
        )  # fmt: skip
        s.add(t)
        s.flush()
        entry = takeover.charge(Notifier(s, etsy, T0), t, Decimal("25.00"), T0)
        assert entry is not None
        s.commit()
    actions = client.get("/enforcement/sellers/a/actions", headers=h(tok["a"])).json()
    by_kind = {a["kind"]: a for a in actions}
    assert set(by_kind) == {"badge_removed", "takeover_charged"}
    for a in by_kind.values():
        st = client.get(f"/enforcement/actions/{a['id']}/statement", headers=h(tok["a"]))
        assert st.status_code == 200 and st.json()["dsa"] is False
    assert (
        "review 9001"
        in client.get(
            f"/enforcement/actions/{by_kind['badge_removed']['id']}/statement", headers=h(tok["a"])
        ).json()["content"]["text"]
    )
    for kind in ("badge_removed", "takeover_charged"):
        c = client.post(
            f"/enforcement/actions/{by_kind[kind]['id']}/complaints",
            headers=h(tok["a"]),
            json={"text": "wrong"},
        ).json()
        done = client.post(
            f"/enforcement/complaints/{c['id']}/decision",
            headers=h(tok["agent"]),
            json={"outcome": "reversed", "reasons": "not shown"},
        )
        assert done.status_code == 200, done.text
    with sessions() as s:
        badge = s.get(BadgeRow, "badge-a")
        assert badge is not None and (badge.status, badge.excluded) == ("awarded", False)
        credit = s.scalars(select(LedgerEntry).where(LedgerEntry.key == "reversal:takeover:t1"))
        assert [Decimal(e.amount) for e in credit] == [Decimal("-25.00")]

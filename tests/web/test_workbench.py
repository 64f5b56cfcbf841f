"""The platform's workbench from the pages (issue 14): an agent takes a conversation over,
answers as the marketplace and finds it in the takeover inbox; an operator lifts a
restriction with a reason."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from servicenorm.enforce import actions as enforce_actions
from servicenorm.helpdesk.accounts import create_account
from tests.web import factories as fx
from tests.web.conftest import World


def client(world: World, token: str) -> TestClient:
    c = TestClient(world.app, headers={"Accept-Language": "en"})
    assert c.post("/ui/login", data={"token": token}, follow_redirects=False).status_code == 303
    return c


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m
    return m.group(1)


def test_agent_takes_over_answers_and_finds_it_in_the_inbox(world: World) -> None:
    with world.container.sessions() as s:
        _acc, token = create_account(
            s,
            fx.operator(world.container),
            "agent",
            "Klantenservice",
            None,
            marketplace="shop-nl",
            seller=None,
            buyer=None,
            pepper=world.container.pepper,
            now=world.now,
        )
        s.commit()
    agent = client(world, token)
    assert "No conversation is taken over." in agent.get("/ui/takeovers").text
    seller = client(world, world.tokens["bakker-late"])
    cid = re.search(r'data-id="([^"]+)"', seller.get("/ui/sellers/bakker-late/queue").text)
    assert cid
    page = agent.get(f"/ui/conversations/{cid.group(1)}").text
    assert "Take this conversation over" in page and "<textarea" not in page
    r = agent.post(
        f"/ui/conversations/{cid.group(1)}/takeover",
        data={"csrf": csrf_of(page)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = agent.get(r.headers["location"]).text
    assert "answer as the marketplace below" in page and "<textarea" in page
    sent = agent.post(
        f"/ui/conversations/{cid.group(1)}/reply",
        data={
            "csrf": csrf_of(page),
            "body": "Wij nemen dit over en zoeken het voor u uit.",
            "back": "conversation",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303
    thread = agent.get(sent.headers["location"]).text
    assert "Marketplace customer service" in thread and "zoeken het voor u uit" in thread
    inbox = agent.get("/ui/takeovers").text
    row = re.search(r'data-testid="taken-over">(.*?)</table>', inbox, re.S)
    assert row and "Bakker Late" in row.group(1) and ">you<" in row.group(1)
    # the seller can no longer answer it, and has no inbox
    assert "taken over by the marketplace" in seller.get(f"/ui/conversations/{cid.group(1)}").text
    assert seller.get("/ui/takeovers").status_code == 403


def test_operator_lifts_a_restriction_with_a_reason(world: World) -> None:
    with world.container.sessions() as s:
        row = enforce_actions.start_action(
            s,
            key="wb|restrict",
            seller_id="boek-risk",
            policy="bol",
            kind="restrict_search",
            origin="operator",
            reason="test",
            reason_code="operator",
            start=world.now - timedelta(hours=1),
            end=None,
            actor="system",
            now=world.now,
        )
        s.commit()
        aid = row.id if row is not None else None
    assert aid
    op = client(world, world.operator)
    html = op.get("/ui/overview").text
    assert f'action="/ui/actions/{aid}/lift"' in html
    bad = op.post(
        f"/ui/actions/{aid}/lift",
        data={"csrf": csrf_of(html), "reason": " "},
        follow_redirects=False,
    )
    assert "lift_error=1" in bad.headers["location"]
    r = op.post(
        f"/ui/actions/{aid}/lift",
        data={"csrf": csrf_of(html), "reason": "Seller explained the delays"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "lifted=1" in r.headers["location"]
    after = op.get(r.headers["location"]).text
    assert "The restriction is lifted" in after
    assert f'action="/ui/actions/{aid}/lift"' not in after

"""The platform's workbench from the pages (issue 14): an agent takes a conversation over,
answers as the marketplace and finds it in the takeover inbox; an operator lifts a
restriction with a reason."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from servicenorm.enforce import actions as enforce_actions
from servicenorm.enforce.audit import trail
from servicenorm.enforce.enforce_tables import Action, LadderPosition
from servicenorm.enforce.notices import Notifier
from servicenorm.helpdesk.accounts import create_account
from servicenorm.helpdesk.conversations import open_question
from servicenorm.notify.notify_tables import OutboxMessage
from servicenorm.policy.stored import policy_for
from servicenorm.store.tables import Buyer, Conversation
from tests.web import factories as fx
from tests.web.conftest import World

AMS = ZoneInfo("Europe/Amsterdam")


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


def agent_token(world: World, name: str) -> tuple[str, str]:
    with world.container.sessions() as s:
        acc, token = create_account(
            s,
            fx.operator(world.container),
            "agent",
            name,
            None,
            marketplace="shop-nl",
            seller=None,
            buyer=None,
            pepper=world.container.pepper,
            now=world.now,
        )
        s.commit()
        return acc.id, token


def flat(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_seller_history_for_the_platform_only(world: World) -> None:
    """Operators and agents read it, dated in Amsterdam time; the seller may not; the overview
    and the performance page link to it."""
    end = datetime(2026, 12, 10, 9, 0, tzinfo=AMS)
    with world.container.sessions() as s:
        enforce_actions.start_action(
            s,
            key="hist|restrict",
            seller_id="bakker-late",
            policy="bol",
            kind="restrict_search",
            origin="operator",
            reason="Listings copied from another shop",
            reason_code="terms_violation",
            start=world.now - timedelta(hours=2),
            end=end,
            actor="system",
            now=world.now,
        )
        s.commit()
    op = client(world, world.operator)
    html = op.get("/ui/sellers/bakker-late/history").text
    page = flat(html)
    assert "History of Bakker Late" in page
    assert "Listings copied from another shop" in page
    assert "Thu 10 Dec 09:00" in page  # 08:00 UTC, shown in the marketplace's zone
    assert "Times are shown in Amsterdam time." in page
    assert "/ui/sellers/bakker-late/history" in op.get("/ui/overview").text
    assert "/ui/sellers/bakker-late/history" in op.get("/ui/sellers/bakker-late/performance").text
    seller = client(world, world.tokens["bakker-late"])
    assert seller.get("/ui/sellers/bakker-late/history").status_code == 403
    assert "/history" not in seller.get("/ui/sellers/bakker-late/performance").text
    _id, token = agent_token(world, "Agent Lees")
    assert client(world, token).get("/ui/sellers/bakker-late/history").status_code == 200


def test_operator_acts_from_the_history_page(world: World) -> None:
    """Send a waiting e-mail now or withdraw it (each in the audit trail), write to the
    seller, extend a restriction, restrict: all from the seller's history page."""
    end = datetime(2026, 12, 10, 9, 0, tzinfo=AMS)
    with world.container.sessions() as s:
        n = Notifier(s, policy_for("bol"), world.now)
        for key in ("hist-a", "hist-b"):
            n.mail(
                key,
                "fiets-good",
                "restriction_lifted",
                world.now,
                {"kind": "pause_shop", "lift_reason": key},
            )
        waiting = s.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.seller_id == "fiets-good")
            .order_by(OutboxMessage.key)
        ).all()
        waiting[0].attempts, waiting[0].last_error = 2, "mail server away"
        waiting[0].next_attempt_at = world.now + timedelta(minutes=20)
        row = enforce_actions.start_action(
            s,
            key="hist|extend",
            seller_id="fiets-good",
            policy="bol",
            kind="pause_shop",
            origin="operator",
            reason="Unsafe product listed",
            reason_code="terms_violation",
            start=world.now - timedelta(hours=2),
            end=end,
            actor="system",
            now=world.now,
        )
        s.commit()
        retry, other = waiting[0].id, waiting[1].id
        assert row is not None
        aid = row.id
    op = client(world, world.operator)
    html = op.get("/ui/sellers/fiets-good/history").text
    mails = flat(re.search(r'data-testid="history-emails">(.*?)</table>', html, re.S).group(1))
    assert "2 attempt(s) failed (mail server away); next try Thu 3 Dec 10:50" in mails
    csrf = csrf_of(html)
    base = "/ui/sellers/fiets-good"

    def post(url: str, **data: str) -> str:
        r = op.post(url, data={"csrf": csrf, **data}, follow_redirects=False)
        assert r.status_code == 303, r.text
        return str(r.headers["location"])

    assert "done=resend" in post(f"{base}/emails/{retry}/resend")
    assert "failed=cancel" in post(f"{base}/emails/{other}/cancel", reason=" ")
    assert "done=cancel" in post(f"{base}/emails/{other}/cancel", reason="Sent by mistake")
    assert "failed=resend" in post(f"{base}/emails/{other}/resend")  # withdrawn: stays so
    assert "done=contact" in post(
        f"{base}/contact", subject="Your listing 123", text="Please send us the safety papers."
    )
    assert "failed=extend" in post(f"/ui/actions/{aid}/extend", end="2026-12-08T09:00", reason="x")
    assert "done=extend" in post(
        f"/ui/actions/{aid}/extend", end="2026-12-17T09:00", reason="Papers still missing"
    )
    assert "done=restrict" in post(
        f"{base}/restrict",
        kind="restrict_search",
        reason_code="terms_violation",
        reason="Listing 555 sells a recalled helmet",
        evidence="listing-555",
        end="",
    )
    with world.container.sessions() as s:
        rows = {
            m.id: m
            for m in s.scalars(select(OutboxMessage).where(OutboxMessage.seller_id == "fiets-good"))
        }
        assert rows[retry].state == "pending" and rows[retry].next_attempt_at == world.now
        assert rows[other].state == "cancelled" and rows[other].last_error == "Sent by mistake"
        templates = sorted(m.template for m in rows.values())
        assert "operator_message" in templates and "restriction_extended" in templates
        # the restriction's one e-mail: its statement of reasons, no second "restricted" mail
        assert "statement_of_reasons" in templates and "restriction_started" not in templates
        action = s.get(Action, aid)
        assert action is not None and action.end_at == datetime(2026, 12, 17, 8, 0, tzinfo=UTC)
        events = {(a.subject, a.event) for a in trail(s, seller_id="fiets-good")}
        assert {("email", "resent"), ("email", "cancelled"), ("email", "contacted")} <= events
        assert ("action", "extended") in events
        # the contact counts for the ladder (R4.4): a step that requires contact may follow
        ladder = s.scalar(
            select(LadderPosition).where(
                LadderPosition.seller_id == "fiets-good", LadderPosition.policy == "bol"
            )
        )
        assert ladder is not None and ladder.contacted_at == world.now
        assert s.scalar(
            select(Action).where(Action.seller_id == "fiets-good", Action.kind == "restrict_search")
        )
    after = flat(op.get(f"{base}/history?done=extend").text)
    assert "The restriction is extended; the seller was told." in after
    assert "Thu 17 Dec 09:00" in after and "withdrawn: Sent by mistake" in after
    # an agent may not restrict
    _id, token = agent_token(world, "Agent Beperk")
    agent = client(world, token)
    page = agent.get(f"{base}/history").text
    assert "Restrict this seller" not in page
    r = agent.post(
        f"{base}/restrict",
        data={"csrf": csrf_of(page), "kind": "pause_shop", "reason": "x", "evidence": "y"},
        follow_redirects=False,
    )
    assert r.status_code == 403


def test_conversation_assigned_to_an_agent_from_the_history_page(world: World) -> None:
    first_id, first = agent_token(world, "Agent Een")
    second_id, _ = agent_token(world, "Agent Twee")
    agent = client(world, first)
    seller = client(world, world.tokens["fiets-good"])
    platform = fx.operator(world.container)
    with world.container.sessions() as s:
        buyer = s.scalars(select(Buyer).where(Buyer.marketplace_id == "shop-nl")).first()
        assert buyer is not None
        cid = open_question(
            s,
            platform,
            seller_id="fiets-good",
            body="Waar blijft mijn fiets?",
            now=world.now,
            buyer_id=buyer.id,
        ).conversation.id
        s.commit()
    page = agent.get(f"/ui/conversations/{cid}").text
    r = agent.post(
        f"/ui/conversations/{cid}/takeover", data={"csrf": csrf_of(page)}, follow_redirects=False
    )
    assert r.status_code == 303
    op = client(world, world.operator)
    html = op.get("/ui/sellers/fiets-good/history").text
    taken = flat(re.search(r'data-testid="history-taken">(.*?)</table>', html, re.S).group(1))
    assert "Agent Een" in taken
    r = op.post(
        f"/ui/conversations/{cid}/assign",
        data={"csrf": csrf_of(html), "agent": second_id},
        follow_redirects=False,
    )
    assert "done=assign" in r.headers["location"]
    with world.container.sessions() as s:
        conv = s.get(Conversation, cid)
        assert conv is not None and conv.taken_over_by == second_id
        assert ("conversation", "assigned") in {
            (a.subject, a.event) for a in trail(s, seller_id="fiets-good")
        }
    assert seller.get("/ui/sellers/fiets-good/history").status_code == 403
    assert first_id != second_id


def test_history_says_when_it_shows_only_the_newest(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A section cut at its limit says so (the queue's lesson: never stop silently)."""
    from servicenorm.web.pages import history

    monkeypatch.setattr(history, "SHOWN", 1)
    html = client(world, world.operator).get("/ui/sellers/fiets-good/history").text
    mails = re.search(r'id="emails-h">(.*?)</table>', html, re.S)
    assert mails and "The newest 1 are shown." in flat(mails.group(1))
    assert mails.group(1).count('<th scope="row"') == 1

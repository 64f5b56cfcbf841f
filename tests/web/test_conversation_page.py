"""The conversation page (issue 14, "what people expect"): the whole thread, the order, earlier
conversations with the buyer, and answering from a saved reply with its variables filled in."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from servicenorm.helpdesk import saved_replies
from servicenorm.helpdesk.accounts import authenticate, create_account
from servicenorm.helpdesk.ingest import ingest_many
from servicenorm.store.items import WAIVED, QuestionItem
from servicenorm.store.tables import Message, Violation
from tests.web import factories as fx
from tests.web.conftest import World


def client(world: World, token: str) -> TestClient:
    c = TestClient(world.app, headers={"Accept-Language": "en"})
    assert c.post("/ui/login", data={"token": token}, follow_redirects=False).status_code == 303
    return c


def test_thread_earlier_conversations_and_a_saved_reply(world: World) -> None:
    with world.container.sessions() as s:
        p = authenticate(s, world.tokens["bakker-late"], world.container.pepper, world.now)
        assert p is not None
        reply = saved_replies.create(
            s,
            p,
            "bakker-late",
            "Excuses",
            "Dag {buyer_name}, excuses: {problem}. {seller_name}",
            world.now,
        )
        s.commit()
        rid = reply.id
    c = client(world, world.tokens["bakker-late"])
    queue = c.get("/ui/sellers/bakker-late/queue").text
    link = re.search(r'<a href="(/ui/conversations/([^"]+))">', queue)
    assert link
    url, cid = link.group(1), link.group(2)
    html = c.get(url).text
    thread = re.search(r'data-testid="thread">(.*?)</ol>', html, re.S)
    assert thread and "Waar blijft bestelling" in thread.group(1)
    assert "This conversation is not about an order." in html
    earlier = re.search(r'data-testid="earlier">(.*?)</ul>', html, re.S)
    assert earlier and earlier.group(1).count("<li>") >= 3  # the same buyer asked before
    picked = c.get(f"{url}?reply={rid}").text
    box = re.search(r"<textarea[^>]*>(.*?)</textarea>", picked, re.S)
    assert box and unescape(box.group(1)).startswith("Dag ") and "{problem}" in box.group(1)
    assert "Fill in before sending: problem." in picked
    csrf = re.search(r'name="csrf" value="([^"]+)"', picked)
    assert csrf
    body = unescape(box.group(1)).replace("{problem}", "de bezorging liep vertraging op")
    r = c.post(
        f"/ui/conversations/{cid}/reply",
        data={"body": body, "csrf": csrf.group(1), "back": "conversation", "saved_reply": rid},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith(f"/ui/conversations/{cid}?")
    after = c.get(r.headers["location"]).text
    assert "Your answer was sent." in after and "de bezorging liep vertraging op" in after
    assert f'data-id="{cid}"' not in c.get("/ui/sellers/bakker-late/queue").text
    other = client(world, world.tokens["fiets-good"])
    assert other.get(url).status_code == 404


def buyer_of(world: World, market: str, seller: str) -> tuple[str, str]:
    """A token for a buyer with an order from `seller`, and that order's id."""
    op = fx.operator(world.container)
    buyer_id, order_id = f"{market}-buyer1", f"{seller}-policy-order"
    placed = world.now - timedelta(days=2)
    with world.container.sessions() as s:
        report = ingest_many(
            s,
            op,
            enumerate(
                [
                    {
                        "id": f"{order_id}-placed",
                        "type": "order_placed",
                        "at": placed.isoformat(),
                        "order": order_id,
                        "seller": seller,
                        "buyer": buyer_id,
                        "ship_by": (placed + timedelta(days=3)).isoformat(),
                        "category": "fietsen",
                        "amount": "12.50",
                        "currency": "EUR",
                    }
                ],
                start=1,
            ),
            world.now,
        )
        assert not report.errors, report.errors
        s.commit()
    with world.container.sessions() as s:
        _acc, token = create_account(
            s,
            op,
            "buyer",
            f"Koper {seller}",
            None,
            marketplace=market,
            seller=None,
            buyer=buyer_id,
            pepper=world.container.pepper,
            now=world.now,
        )
        s.commit()
    return token, order_id


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m
    return m.group(1)


@pytest.mark.parametrize(
    ("market", "seller", "masked"),
    [("shop-nl", "fiets-good", True), ("crafts", "wol-atelier", False)],
)
def test_buyer_messages_pass_the_message_policy(
    world: World, market: str, seller: str, masked: bool
) -> None:
    """bol's policy masks a buyer's phone number before the seller reads it (and tells the
    buyer); etsy's delivers it and records it. Either way the finding is recorded."""
    token, order = buyer_of(world, market, seller)
    buyer = client(world, token)
    page = buyer.get("/ui/buyer").text
    sent = buyer.post(
        "/ui/buyer/ask",
        data={"csrf": csrf_of(page), "order": order, "body": "Bel me even op 06-12345678 aub"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert ("masked=1" in sent.headers["location"]) is masked
    notice = buyer.get(sent.headers["location"]).text
    assert ('data-testid="buyer-masked"' in notice) is masked
    cid = sent.headers["location"].split("sent=")[1].split("&")[0]
    with world.container.sessions() as s:
        first = s.scalars(select(Message).where(Message.conversation_id == cid)).one()
        found = s.scalars(select(Violation).where(Violation.conversation_id == cid)).one()
        assert ("06-12345678" in first.body) is not masked
        assert found.action == ("mask" if masked else "record")
        assert found.detail[0]["author"] == "buyer" and found.detail[0]["kind"] == "contact"
    seller_page = client(world, world.tokens[seller]).get(f"/ui/conversations/{cid}").text
    assert ("06-12345678" in seller_page) is not masked


# -- "No reply needed" (docs/events-extensions.md): offered on the queue and the conversation page
# where the policy allows it (etsy), to the seller's staff too; the thread shows it, the queue
# drops the question, the operator's history lists it; bol's pages do not offer it, and a forged
# post is refused with the policy's reason.


def test_staff_mark_a_question_no_reply_needed_and_the_operator_sees_it(world: World) -> None:
    staff = client(world, world.staff)
    queue = staff.get("/ui/sellers/wol-atelier/queue").text
    assert 'data-testid="waive-form"' in queue and "No reply needed" in queue
    cid = re.findall(r'data-id="([^"]+)"', queue)[0]
    r = staff.post(
        f"/ui/conversations/{cid}/waive",
        data={"csrf": csrf_of(queue), "reason": "Alleen een bedankje"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].endswith("/queue?waived=1")
    after = staff.get(r.headers["location"]).text
    assert "Marked as needing no reply." in after and f'data-id="{cid}"' not in after

    thread = staff.get(f"/ui/conversations/{cid}").text
    waiver = re.search(r'data-testid="waiver">(.*?)</li>', thread, re.S)
    assert waiver and "no reply needed" in waiver.group(1)
    assert "Alleen een bedankje" in unescape(waiver.group(1))
    assert 'data-testid="waive-form"' not in thread  # nothing is waiting any more

    with world.container.sessions() as s:
        by = s.scalar(
            select(QuestionItem.first_reply_by).where(QuestionItem.conversation_id == cid)
        )
    assert by == WAIVED

    operator = client(world, world.operator)
    history = operator.get("/ui/sellers/wol-atelier/history").text
    table = re.search(r'data-testid="history-waivers">(.*?)</table>', history, re.S)
    assert table and cid in table.group(1) and "Alleen een bedankje" in unescape(table.group(1))


def test_bol_pages_do_not_offer_it_and_refuse_a_forged_post(world: World) -> None:
    seller = client(world, world.tokens["boek-risk"])
    queue = seller.get("/ui/sellers/boek-risk/queue").text
    assert 'data-testid="waive-form"' not in queue
    cid = re.findall(r'data-id="([^"]+)"', queue)[0]
    r = seller.post(f"/ui/conversations/{cid}/waive", data={"csrf": csrf_of(queue)})
    assert r.status_code == 422
    assert "bol policy does not allow" in unescape(r.text)
    assert f'data-id="{cid}"' in seller.get("/ui/sellers/boek-risk/queue").text
    api = TestClient(world.app).post(
        f"/conversations/{cid}/waive",
        json={},
        headers={"Authorization": f"Bearer {world.tokens['boek-risk']}"},
    )
    assert api.status_code == 422 and "type" in api.text

    operator = client(world, world.operator)
    history = operator.get("/ui/sellers/boek-risk/history").text
    assert 'data-testid="waivers-not-allowed"' in history

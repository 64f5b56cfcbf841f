"""The conversation page (issue 14, "what people expect"): the whole thread, the order, earlier
conversations with the buyer, and answering from a saved reply with its variables filled in."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient

from servicenorm.helpdesk import saved_replies
from servicenorm.helpdesk.accounts import authenticate
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

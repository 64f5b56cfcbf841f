"""The flows of issue 14 in Chromium: what a seller reads while typing an answer, paging the
queue at a phone's width, and times in the marketplace's zone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from servicenorm.enforce.notices import Notifier
from servicenorm.policy.stored import policy_for
from tests.web.conftest import World
from tests.web.test_browser import CONTRAST, login, page, shoot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
__all__ = ["page"]  # the fixture, shared with the other browser tests


def test_seller_sees_what_the_policy_removes_while_typing(
    page: Any, server: str, world: World
) -> None:
    login(page, server, world.tokens["boek-risk"])
    page.goto(f"{server}/ui/sellers/boek-risk/queue")
    item = page.locator("ol#queue > li").first
    item.locator("summary").click()
    box = item.get_by_label(re.compile("Your answer to"))
    box.press_sequentially("Mail me: jan@voorbeeld.nl", delay=5)
    note = item.locator("p[id^=check-]")
    note.wait_for(state="visible", timeout=10_000)
    assert "e-mail address “jan@voorbeeld.nl”" in note.inner_text()
    shoot(page, "queue-masking-notice")
    item.get_by_role("button", name="Send answer").click()
    page.wait_for_load_state("domcontentloaded")
    alert = page.get_by_role("alert")
    assert "Edit your answer" in alert.inner_text()
    page.get_by_role("button", name="Send with these removed").click()
    page.wait_for_url("**masked=email**")
    assert (
        "without these contact details: e-mail address"
        in page.get_by_test_id("sent-masked").inner_text()
    )


def test_queue_is_usable_at_390px_with_the_keyboard(
    browser: Any, server: str, world: World
) -> None:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    p = ctx.new_page()
    try:
        login(p, server, world.tokens["bakker-late"])
        p.goto(f"{server}/ui/sellers/bakker-late/queue")
        width = p.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        p.get_by_label("Order", exact=True).focus()
        p.keyboard.press("ArrowDown")  # still in time first
        p.get_by_role("button", name="Show").focus()
        p.keyboard.press("Enter")
        p.wait_for_url("**order=savable**")
        shoot(p, "queue-390")
    finally:
        ctx.close()


def test_conversation_page_at_390px(browser: Any, server: str, world: World) -> None:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    p = ctx.new_page()
    try:
        login(p, server, world.tokens["bakker-late"])
        p.goto(f"{server}/ui/sellers/bakker-late/queue")
        p.locator("ol#queue > li h2 a").first.click()
        p.wait_for_url("**/ui/conversations/**")
        assert p.get_by_test_id("thread").locator("li").count() >= 1
        assert p.evaluate("document.documentElement.scrollWidth") <= 390
        shoot(p, "conversation-390")
    finally:
        ctx.close()


def test_operator_reads_a_sellers_history_and_resends_an_email(
    browser: Any, server: str, world: World
) -> None:
    """From the overview to the seller's history at a phone's width: readable without sideways
    scrolling, AA contrast, and a waiting e-mail sent again with the keyboard only."""
    with world.container.sessions() as s:
        Notifier(s, policy_for("bol"), world.now).mail(
            "flow-mail",
            "bakker-late",
            "restriction_lifted",
            world.now,
            {"kind": "pause_shop", "lift_reason": "paperwork received"},
        )
        s.commit()
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    p = ctx.new_page()
    try:
        login(p, server, world.operator)
        # the overview (what changed) and the queue's waiting-for-the-buyer filter fit too
        for url in ("/ui/overview", "/ui/sellers/bakker-late/queue?show=waiting_buyer"):
            p.goto(server + url)
            assert p.evaluate("document.documentElement.scrollWidth") <= 390, url
            assert p.evaluate(CONTRAST) == [], url
        p.goto(f"{server}/ui/overview")
        p.get_by_role("link", name="History of Bakker Late").first.click()
        p.wait_for_url("**/ui/sellers/bakker-late/history")
        assert p.evaluate("document.documentElement.scrollWidth") <= 390
        assert p.evaluate(CONTRAST) == []
        unlabeled = p.evaluate("""() => [...document.querySelectorAll(
            'input:not([type=hidden]), select, textarea')]
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
            .map(e => e.outerHTML)""")
        assert unlabeled == []
        mails = p.get_by_test_id("history-emails")
        assert "waits for the mail sender" in mails.inner_text()
        shoot(p, "history-390")
        send = mails.get_by_role("button", name="Send now").first
        send.focus()
        p.keyboard.press("Enter")
        p.wait_for_url("**done=resend**")
        assert "next delivery round" in p.get_by_test_id("history-status").inner_text()
    finally:
        ctx.close()

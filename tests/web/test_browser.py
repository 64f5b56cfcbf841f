"""The pages in a real browser: Debian's Chromium driven by Playwright.

A seller logs in, reads the score, drills down, answers from the queue and sees the
countdown move; an operator reads the overview. Each page is saved as a screenshot in
docs/screenshots/ for the README. Plus what only a browser shows: keyboard use, contrast,
and a phone-sized screen without sideways scrolling.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.web import factories as fx
from tests.web.conftest import SCREENSHOTS, World

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SIMULATION_S = 120  # the policy simulation's page (test_operator_sees_the_overview_and_filters)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    p = ctx.new_page()
    p.set_default_timeout(15_000)
    yield p
    ctx.close()


def answered_weeks(world: World) -> set[tuple[int, int]]:
    """The ISO weeks of the 8-week trend in which bakker-late has an answered question (a point
    each): all 8, except the current one when `now` falls on a Monday (only an open question)."""
    zone = ZoneInfo("Europe/Amsterdam")
    today = world.now.astimezone(zone).date()
    first = today - timedelta(days=today.weekday(), weeks=7)
    days = fx.working_days(world.now, "Europe/Amsterdam", 56, time(10, 0))
    return {d.isocalendar()[:2] for d in days if d.date() >= first}


def login(page: Any, server: str, token: str) -> None:
    page.goto(f"{server}/ui/login")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("domcontentloaded")


def shoot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_seller_sees_the_score_and_drills_down(page: Any, server: str, world: World) -> None:
    login(page, server, world.tokens["bakker-late"])
    assert page.url.endswith("/ui/sellers/bakker-late/performance")
    card = page.locator("section.card[data-norm=first_response]")
    assert re.fullmatch(r"\d+(\.\d)?%", card.get_by_test_id("value-first_response").inner_text())
    assert card.get_by_test_id("status-first_response").inner_text() == "Below the norm"
    assert "Answer the next" in card.get_by_test_id("need-first_response").inner_text()
    assert card.locator("svg[role=img] circle").count() == len(answered_weeks(world))
    shoot(page, "performance")
    card.get_by_test_id("explain-first_response").click()
    page.wait_for_url("**/performance/first_response")
    rows = page.locator("table[data-testid=items] tbody tr")
    assert rows.count() >= 15
    assert page.locator("table[data-testid=items] .pill.item-late").count() >= 3
    headers = page.locator("table[data-testid=items] thead th").all_inner_texts()
    assert headers == [
        "Question",
        "Received",
        "Deadline",
        "First reply",
        "Working time taken",
        "Status",
    ]
    shoot(page, "explain")
    page.get_by_label("Show").select_option("late")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**status=late**")
    assert page.locator("table[data-testid=items] .pill.item-on_time").count() == 0


def test_seller_answers_from_the_queue_and_the_countdown_runs(
    page: Any, server: str, world: World
) -> None:
    login(page, server, world.tokens["wol-atelier"])
    page.goto(f"{server}/ui/sellers/wol-atelier/queue")
    items = page.locator("ol#queue > li")
    assert items.count() == 3
    assert items.first.get_attribute("class") == "qitem state-overdue"
    ticking = items.nth(2).get_by_test_id("countdown")
    before = ticking.inner_text()
    assert re.fullmatch(r"(\d+ h )?(\d+ min )?\d+ s left", before), before
    page.wait_for_function(
        "([el, t]) => el.textContent !== t", arg=[ticking.element_handle(), before], timeout=5_000
    )
    after = ticking.inner_text()
    assert after < before  # h:mm:ss of the same width: less working time left
    overdue = items.first.get_by_test_id("countdown").inner_text()
    assert overdue.startswith("overdue by")
    shoot(page, "queue")
    target = items.nth(1)
    cid = target.get_attribute("data-id")
    # an Etsy seller's item has two disclosures: "Answer" and "No reply needed"
    target.locator("summary", has_text="Answer").click()
    target.get_by_label(re.compile("Your answer to")).fill(
        "Dank voor uw geduld: het pakket gaat vandaag mee."
    )
    target.get_by_role("button", name="Send answer").click()
    page.wait_for_url(f"**/queue?sent={cid}")
    assert page.get_by_role("status").filter(has_text="Your answer was sent.").count() == 1
    assert page.locator(f"#q-{cid}").count() == 0
    assert page.locator("ol#queue > li").count() == 2


def test_operator_sees_the_overview_and_filters(page: Any, server: str, world: World) -> None:
    login(page, server, world.operator)
    assert page.url.endswith("/ui/overview")
    table = page.get_by_test_id("at-risk")
    assert "Bakker Late" in table.inner_text() and "Boek Risk" in table.inner_text()
    page.get_by_label("Marketplace", exact=True).select_option("shop-nl")
    page.get_by_label("Response target (%)").fill("99")
    # The form's POST replays the marketplace's stored events under the changed policy before
    # the page answers: 17 s measured at a load average of 25 (bench/RESULTS.md), past the 15 s
    # every other action gets; the whole test took 62 s at a load of 19 (12:50 UTC, shared
    # machine). The click waits for that answer (the navigation) and the result is on the page
    # it brings, so both get SIMULATION_S.
    page.get_by_role("button", name="Simulate").click(timeout=SIMULATION_S * 1000)
    result = page.get_by_test_id("sim-result")
    result.wait_for(timeout=SIMULATION_S * 1000)
    assert "bol, response target 99%" in result.inner_text() and "Boek Risk" in result.inner_text()
    shoot(page, "overview")
    page.goto(f"{server}/ui/overview")
    page.get_by_label("Country").select_option("BE")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**country=BE**")
    assert "Bakker Late" not in page.get_by_test_id("at-risk").inner_text()
    page.get_by_role("link", name="Boek Risk").first.click()
    page.wait_for_url("**/ui/sellers/boek-risk/performance**")
    assert page.get_by_test_id("status-first_response").inner_text() == "At risk"


def test_keyboard_only_login_and_skip_link(page: Any, server: str, world: World) -> None:
    page.goto(f"{server}/ui/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    page.locator("#token").focus()
    page.keyboard.type(world.tokens["boek-risk"])
    page.keyboard.press("Enter")
    page.wait_for_url("**/ui/sellers/boek-risk/performance")
    # every form control on the pages has a label
    for url in ("/ui/sellers/boek-risk/performance/first_response", "/ui/sellers/boek-risk/queue"):
        page.goto(server + url)
        unlabeled = page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.outerHTML)""")
        assert unlabeled == []


CONTRAST = """() => {
  const lum = c => { const [r, g, b] = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(v => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const bg = el => { for (let e = el; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor; if (!/rgba\\(.*, 0\\)$/.test(c) && c !== 'transparent') return c; }
    return 'rgb(255, 255, 255)'; };
  const bad = [];
  for (const el of document.querySelectorAll('h1, h2, p, a, .pill, th, td, dt, dd, label, button, summary, li')) {
    if (!el.offsetParent || !el.textContent.trim()) continue;
    const a = lum(getComputedStyle(el).color), b = lum(bg(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) bad.push(el.tagName + ' ' + el.className + ' ' + ratio.toFixed(2) + ' ' + el.textContent.trim().slice(0, 30));
  }
  return bad;
}"""


def test_text_contrast_meets_wcag_aa(page: Any, server: str, world: World) -> None:
    login(page, server, world.operator)
    for url in (
        "/ui/overview",
        "/ui/sellers/bakker-late/performance",
        "/ui/sellers/bakker-late/performance/first_response",
        "/ui/sellers/wol-atelier/queue",
    ):
        page.goto(server + url)
        assert page.evaluate(CONTRAST) == [], url


def test_usable_on_a_phone_screen(browser: Any, server: str, world: World) -> None:
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="nl-NL",
    )
    try:
        page = ctx.new_page()
        page.goto(
            f"{server}/ui/login#token={world.tokens['bakker-late']}"
        )  # the login link of `make run`
        page.wait_for_url("**/ui/sellers/bakker-late/performance")
        assert page.locator("html").get_attribute("lang") == "nl"
        assert page.get_by_role("heading", level=1).inner_text() == "Prestaties van Bakker Late"
        for url in (
            "/ui/sellers/bakker-late/performance",
            "/ui/sellers/bakker-late/performance/first_response",
            "/ui/sellers/bakker-late/queue",
        ):
            page.goto(server + url)
            # 390, not window.innerWidth: on a phone the viewport widens to the widest content
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
        page.goto(f"{server}/ui/sellers/bakker-late/performance")
        page.screenshot(path=str(SCREENSHOTS / "performance-phone.png"), full_page=False)
        # the longer French and Polish filter labels fit too
        for lang in ("fr", "pl"):
            page.goto(f"{server}/ui/sellers/bakker-late/queue?lang={lang}")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, lang
    finally:
        ctx.close()


def test_language_switcher_works_by_keyboard_and_the_countdown_follows(
    page: Any, server: str, world: World
) -> None:
    """Tab to the header's language switcher and choose Polish with Enter: the page and its
    live countdown are Polish (test_pages: the choice is kept for the next pages)."""
    login(page, server, world.tokens["wol-atelier"])
    page.goto(f"{server}/ui/sellers/wol-atelier/queue")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "PL":
            break
    else:
        pytest.fail("the language switcher cannot be reached with the Tab key")
    assert page.evaluate("document.activeElement.title") == "Polski"
    page.keyboard.press("Enter")
    page.wait_for_function("document.documentElement.lang === 'pl'")
    assert page.get_by_role("heading", level=1).inner_text() == "Kolejka: Wol Atelier"
    assert page.locator(".langs [aria-current=true]").inner_text() == "PL"
    ticking = page.locator("ol#queue > li.state-ok").last.get_by_test_id("countdown")
    before = ticking.inner_text()
    polish = r"pozostało (\d+ godz\. )?(\d+ min )?\d+ s"
    assert re.fullmatch(polish, before), before
    page.wait_for_function(
        "([el, t]) => el.textContent !== t", arg=[ticking.element_handle(), before], timeout=5_000
    )
    assert re.fullmatch(polish, ticking.inner_text())
    shoot(page, "queue-pl")

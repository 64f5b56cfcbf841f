"""The pages over HTTP (httpx through Starlette's TestClient): who sees what, the figures, the
drill-down, answering from the queue, the overview and its filters, both languages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from servicenorm.helpdesk.websessions import csrf_for
from servicenorm.policy.stored import policy_for
from servicenorm.web.i18n import _texts, texts
from servicenorm.web.pages.norms import rate_need
from servicenorm.web.pages.render import Fmt
from servicenorm.web.pages.session import COOKIE
from tests.web import factories as fx
from tests.web.conftest import World, at_every_instant


def client(world: World, token: str | None = None, lang: str = "en") -> TestClient:
    c = TestClient(world.app, headers={"Accept-Language": lang})
    if token is not None:
        r = c.post("/ui/login", data={"token": token}, follow_redirects=False)
        assert r.status_code == 303, r.text
    return c


@pytest.fixture(scope="module")
def seller(world: World) -> Iterator[TestClient]:
    with client(world, world.tokens["bakker-late"]) as c:
        yield c


@pytest.fixture(scope="module")
def operator(world: World) -> Iterator[TestClient]:
    with client(world, world.operator) as c:
        yield c


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def by_testid(html: str, name: str) -> str:
    m = re.search(rf'data-testid="{re.escape(name)}"[^>]*>(.*?)</', html, re.S)
    assert m, f"no {name} on the page"
    return unescape(m.group(1)).strip()


def test_anonymous_visitors_go_to_the_login_page(world: World) -> None:
    c = client(world)
    r = c.get("/ui/sellers/bakker-late/performance", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (
        303,
        "/ui/login?next=/ui/sellers/bakker-late/performance",
    )
    assert c.get("/", follow_redirects=False).headers["location"] == "/ui/"
    login = c.get("/ui/login")
    assert '<label for="token">' in login.text and 'id="token"' in login.text


def test_a_wrong_token_is_refused_and_login_never_redirects_off_site(world: World) -> None:
    c = client(world)
    r = c.post("/ui/login", data={"token": "sn_wrong"})
    assert r.status_code == 401 and "unknown or was revoked" in r.text
    r = c.post(
        "/ui/login",
        data={"token": world.tokens["bakker-late"], "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/ui/sellers/bakker-late/performance"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_each_role_starts_on_its_own_page(world: World) -> None:
    for token, home in (
        (world.tokens["bakker-late"], "/ui/sellers/bakker-late/performance"),
        (world.staff, "/ui/sellers/wol-atelier/queue"),
        (world.operator, "/ui/overview"),
    ):
        c = client(world, token)
        assert c.get("/ui/", follow_redirects=False).headers["location"] == home


@at_every_instant
def test_the_performance_page_shows_score_threshold_status_and_need(seller: TestClient) -> None:
    page = seller.get("/ui/sellers/bakker-late/performance")
    assert page.status_code == 200
    html = page.text
    items = seller.get("/ui/sellers/bakker-late/performance/first_response").text
    on_time = items.count('class="pill item-on_time"')
    late = items.count('class="pill item-late"')
    assert late >= 3 and on_time > late
    rate = on_time / (on_time + late)
    assert rate < 0.9
    assert by_testid(html, "value-first_response") == f"{rate * 100:.1f}%".replace(".0%", "%")
    assert by_testid(html, "status-first_response") == "Below the norm"
    assert "norm: at least 90%" in text(html)
    n = rate_need(on_time, late, 0.9).good_needed
    assert (
        by_testid(html, "need-first_response")
        == f"Answer the next {n} questions on time to get back to 90%."
    )
    assert "Trend over the last 8 weeks" in html and "<svg" in html
    assert "1 question is waiting for an answer." in text(html)
    # bol's score counts first response and phone (no calls yet): one norm, not met
    assert by_testid(html, "score") == "Performance score: 0% of the norms in the score met."


@at_every_instant
def test_drill_down_lists_each_question_with_its_clock(world: World, seller: TestClient) -> None:
    html = seller.get("/ui/sellers/bakker-late/performance/first_response").text
    rows = re.findall(r"<tr><th scope=\"row\"[^>]*>(.*?)</th>(.*?)</tr>", html, re.S)
    assert rows
    policy = policy_for("bol")
    cal = policy.response_calendar("NL")
    zone = ZoneInfo(policy.zone)
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    days = _question_days(world)
    checked = 0
    for item, cells in rows:
        m = re.fullmatch(r"bakker-late-q(\d+)", item.strip())
        if not m or int(m.group(1)) >= len(days):  # the last one was asked five minutes ago
            continue
        received = days[int(m.group(1))]
        deadline = cal.deadline(received, timedelta(hours=8)).astimezone(zone)
        tds = [text(td).strip() for td in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
        assert tds[0].endswith(f"{received.day} {months[received.month - 1]} {received:%H:%M}")
        assert tds[1].endswith(f"{deadline.day} {months[deadline.month - 1]} {deadline:%H:%M}")
        assert tds[-1] in ("on time", "late", "open")
        checked += 1
    assert checked >= 15
    only_late = seller.get("/ui/sellers/bakker-late/performance/first_response?status=late").text
    assert (
        only_late.count('class="pill item-late"') >= 3
        and 'class="pill item-on_time"' not in only_late
    )


def _question_days(world: World) -> list[datetime]:
    return fx.working_days(world.now, "Europe/Amsterdam", 56, time(10, 0))


def test_weekly_trend_points_lead_to_that_weeks_items(seller: TestClient) -> None:
    html = seller.get("/ui/sellers/bakker-late/performance").text
    weeks = re.findall(
        r'href="(/ui/sellers/bakker-late/performance/first_response\?week=(\d{4}-W\d\d))"', html
    )
    assert len({w for _, w in weeks}) == 8
    url, week = weeks[0]
    page = seller.get(unescape(url)).text
    monday = date.fromisocalendar(int(week[:4]), int(week[-2:]), 1)
    sunday = monday + timedelta(days=6)
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    dates = f"{monday.day} {months[monday.month - 1]} – {sunday.day} {months[sunday.month - 1]}"
    assert f"Week {dates}" in page  # the week's dates, not its ISO code


@at_every_instant
def test_at_risk_seller(world: World) -> None:
    c = client(world, world.tokens["boek-risk"])
    html = c.get("/ui/sellers/boek-risk/performance").text
    assert by_testid(html, "status-first_response") == "At risk"
    assert by_testid(html, "need-first_response").startswith(
        "You can miss 0 more; 1 questions are open."
    )


def test_nobody_sees_another_sellers_pages(world: World, seller: TestClient) -> None:
    for url in (
        "/ui/sellers/fiets-good/performance",
        "/ui/sellers/fiets-good/queue",
        "/ui/sellers/fiets-good/performance/first_response",
        "/ui/sellers/nobody/performance",
    ):
        r = seller.get(url)
        assert r.status_code == 404 and "no access" in r.text
    assert seller.get("/ui/sellers/fiets-good/queue.json").status_code == 404
    assert seller.get("/ui/overview").status_code == 403
    staff = client(world, world.staff)
    assert staff.get("/ui/sellers/bakker-late/queue").status_code == 404
    assert staff.get("/ui/sellers/wol-atelier/performance").status_code == 200


def test_queue_orders_overdue_first_and_answers_through_the_helpdesk(world: World) -> None:
    staff = client(world, world.staff)
    html = staff.get("/ui/sellers/wol-atelier/queue").text
    states = re.findall(r'class="qitem state-(\w+)" id="q-([^"]+)"', html)
    assert [s for s, _ in states] == ["overdue", "due_soon", "ok"]
    state = staff.get("/ui/sellers/wol-atelier/queue.json").json()
    assert state["running"] is True and [i["state"] for i in state["items"]] == [
        "overdue",
        "due_soon",
        "ok",
    ]
    assert 0 < state["items"][2]["left"] <= 22 * 3600
    target = states[1][1]
    refused = staff.post(
        f"/ui/conversations/{target}/reply", data={"body": "Hallo!", "csrf": "forged"}
    )
    assert refused.status_code == 403
    r = staff.post(
        f"/ui/conversations/{target}/reply",
        follow_redirects=False,
        data={
            "body": "Uw bestelling is vandaag verzonden.",
            "csrf": csrf_for(staff.cookies[COOKIE], world.container.pepper),
        },
    )
    assert (r.status_code, r.headers["location"]) == (
        303,
        f"/ui/sellers/wol-atelier/queue?sent={target}",
    )
    after = staff.get(r.headers["location"]).text
    assert "Your answer was sent." in after and f'id="q-{target}"' not in after
    empty = staff.post(
        f"/ui/conversations/{states[0][1]}/reply",
        data={"body": "   ", "csrf": csrf_for(staff.cookies[COOKIE], world.container.pepper)},
    )
    assert empty.status_code == 422 and "Not sent" in empty.text


def test_operators_see_the_queue_read_only(operator: TestClient) -> None:
    html = operator.get("/ui/sellers/bakker-late/queue").text
    assert "read-only" in html and "<textarea" not in html


@at_every_instant
def test_overview_lists_sellers_at_risk_and_below_and_filters(operator: TestClient) -> None:
    html = operator.get("/ui/overview").text
    table = text(html[html.index('data-testid="at-risk"') :])
    assert "Bakker Late" in table and "Boek Risk" in table and "Wol Atelier" in table
    assert "Fiets Good First response" not in table
    be = text(operator.get("/ui/overview?country=BE").text)
    assert "Boek Risk" in be and "Bakker Late" not in be
    etsy = operator.get("/ui/overview?preset=etsy").text
    assert (
        "Wol Atelier" in etsy
        and "Bakker Late" not in etsy
        and 'data-testid="summary-shop-nl"' not in etsy
    )
    below = text(operator.get("/ui/overview?status=below&norm=first_response").text)
    assert "Bakker Late" in below and "Boek Risk" not in below
    assert "No actions are recorded yet." in html or "Taken" in html


def test_pages_in_dutch(world: World) -> None:
    c = client(world, world.tokens["bakker-late"], lang="nl")
    html = c.get("/ui/sellers/bakker-late/performance").text
    assert '<html lang="nl">' in html and "Prestaties van Bakker Late" in html
    assert by_testid(html, "status-first_response") == "Onder de norm"
    assert "Eerste reactie binnen 8 werkuren" in html
    switched = c.get("/ui/sellers/bakker-late/queue?lang=en")
    assert '<html lang="en">' in switched.text and "sn_lang=en" in switched.headers["set-cookie"]
    assert (
        '<html lang="en">' in c.get("/ui/sellers/bakker-late/performance").text
    )  # the choice is kept


def test_logout_needs_the_form_token(world: World) -> None:
    c = client(world, world.tokens["fiets-good"])
    assert c.post("/ui/logout", data={"csrf": "x"}).status_code == 403
    html = c.get("/ui/sellers/fiets-good/performance").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', html)
    assert csrf
    r = c.post("/ui/logout", data={"csrf": csrf.group(1)}, follow_redirects=False)
    assert r.headers["location"] == "/ui/login"
    assert c.get("/ui/sellers/fiets-good/performance", follow_redirects=False).status_code == 303


# English words that none of fr/de/pl uses: one of them on a page is an untranslated text.
ENGLISH = frozenset(
    re.findall(
        r"\w+",
        "the and of your you is are with this that answer answered late time left deadline "
        "working hours week weeks meets below risk orders shipped buyer seller waiting search "
        "show next previous signed log out since until from by for at days skip content "
        "figures calendar overdue what need",
    )
)


@pytest.mark.parametrize("lang", ["fr", "de", "pl"])
def test_performance_and_queue_in_french_german_and_polish(world: World, lang: str) -> None:
    """The seller's two pages in the language the browser asks for: every text translated
    (only names and the buyer's own words stay as they are), dates and numbers that
    language's way, in the marketplace's zone."""
    t = texts(lang)
    f = Fmt(t, ZoneInfo("Europe/Amsterdam"))
    c = client(world, world.tokens["bakker-late"], lang=lang)
    perf = c.get("/ui/sellers/bakker-late/performance").text
    queue = c.get("/ui/sellers/bakker-late/queue").text
    for html in (perf, queue):
        assert f'<html lang="{lang}">' in html
        assert f'<strong aria-current="true" lang="{lang}"' in html  # the switcher shows it
        shown = _readable(html)
        for name in ("Bakker Late", "bakker-late owner", "Shop-Nl"):
            shown = shown.replace(name, " ")
        shown = re.sub(r"\S+-(q|buyer)\d+|Waar blijft bestelling \d+\?", " ", shown)
        words = {w.lower() for w in re.findall(r"[^\W\d_]+", shown)}
        assert not words & ENGLISH, (lang, sorted(words & ENGLISH), shown)
        assert not set(en_phrases()) & set(_phrases(shown)), lang
    # numbers: the figure with the language's decimal mark and percent sign
    figure = by_testid(perf, "value-first_response")
    percent = re.escape(t("format.percent", value="\0")).replace("\\\0", r"\d+(,\d)?")
    assert re.fullmatch(percent.replace("\0", r"\d+(,\d)?"), figure), figure
    # dates: the window's as-of time, and the open question's arrival five minutes ago
    assert f.dt(world.now) in text(perf)
    assert f.dt(world.now - timedelta(minutes=5)) in text(queue)
    assert t("queue.count_one") in text(queue)


def _readable(html: str) -> str:
    """What a reader meets: the text, and the labels and tooltips of the controls."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    labels = re.findall(r'(?:aria-label|title|placeholder|alt)="([^"]*)"', html)
    return text(html) + " " + unescape(" ".join(labels))


def _phrases(shown: str) -> set[str]:
    words = re.findall(r"[^\W\d_]+", shown.lower())
    return {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}


def en_phrases() -> set[str]:
    """Every run of three words of the English texts."""
    out: set[str] = set()
    for v in _texts("en").values():
        for part in re.split(r"\{[^}]*\}", v):
            out |= _phrases(part)
    return out


# -- a seller's own language (issue 14): its choice, else its country's, else its marketplace's,
# when the browser asks for none of the five; the same for its e-mails


def _html_lang(html: str) -> str:
    m = re.search(r'<html lang="([a-z]+)"', html)
    assert m
    return m.group(1)


def test_the_viewers_own_language_when_the_browser_asks_for_none_of_ours(world: World) -> None:
    from servicenorm.enforce.notices import Notifier

    ja = "ja-JP,ja;q=0.9"
    queue = "/ui/sellers/boek-risk/queue"
    belgian = client(world, world.tokens["boek-risk"], lang=ja)
    html = belgian.get(queue).text
    assert _html_lang(html) == "nl"  # BE: Dutch unless chosen
    staff = client(world, world.staff, lang=ja)  # a Dutch shop on etsy (English): its own
    assert _html_lang(staff.get("/ui/sellers/wol-atelier/queue").text) == "nl"
    assert _html_lang(client(world, world.operator, lang=ja).get("/ui/takeovers").text) == "en"

    csrf = csrf_for_page(html)
    r = belgian.post(
        "/ui/sellers/boek-risk/language",
        data={"csrf": csrf, "language": "fr"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "lang=fr" in r.headers["location"]
    page = belgian.get(r.headers["location"]).text  # the performance page, with the form
    assert 'data-testid="language-saved"' in page
    assert 'action="/ui/sellers/boek-risk/language"' in page
    fresh = client(world, world.tokens["boek-risk"], lang=ja)  # another browser, no cookie
    assert _html_lang(fresh.get(queue).text) == "fr"
    with world.container.sessions() as s:
        assert Notifier(s, policy_for("bol"), world.now).locale_of("boek-risk")[1] == "fr"
        assert Notifier(s, policy_for("bol"), world.now).locale_of("fiets-good")[1] == "nl"
    bad = belgian.post("/ui/sellers/boek-risk/language", data={"csrf": csrf, "language": "xx"})
    assert bad.status_code == 422
    other = client(world, world.tokens["fiets-good"], lang=ja)  # not its own seller
    own = csrf_for_page(other.get("/ui/sellers/fiets-good/queue").text)
    r = other.post("/ui/sellers/boek-risk/language", data={"csrf": own, "language": "de"})
    assert r.status_code == 404


def csrf_for_page(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m
    return m.group(1)


def test_the_week_ago_standing_is_read_from_what_the_overview_kept(
    world: World, operator: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first overview view of an hour keeps each seller's standing; a week later "what
    changed since last week" reads it instead of counting a week-old window (issue 14)."""
    from servicenorm.store.tables import Marketplace
    from servicenorm.web.pages import overview as ov
    from servicenorm.web.pages.board import board_for

    assert operator.get("/ui/overview").status_code == 200
    with world.container.sessions() as s:
        kept = ov.stored_standing(s, "shop-nl", world.now)
        assert kept is not None and kept["bakker-late"] == "below"
        assert set(kept) == {"bakker-late", "fiets-good", "boek-risk"}
        ov.keep_standing(s, "shop-nl", world.now, dict.fromkeys(kept, "meets"))  # once an hour
        assert ov.stored_standing(s, "shop-nl", world.now) == kept

        def counted(*args: object) -> object:
            raise AssertionError("the week-old window was counted again")

        monkeypatch.setattr(ov, "seller_metrics", counted)
        market = s.get(Marketplace, "shop-nl")
        assert market is not None
        later = world.now + ov.WEEK
        board = board_for(s, market, later, trends=False)
        assert ov.standing_before(s, board, later - ov.WEEK) == kept

"""The defects a new user hit on the pages (issue 14), each pinned over HTTP: times in the
marketplace's zone, the weekly-alert hint, the queue's totals and order, one window,
no internal names, the overview's columns and week filter."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from servicenorm.enforce import actions as enforce_actions
from servicenorm.helpdesk.accounts import create_account
from servicenorm.helpdesk.directory import create_seller
from servicenorm.helpdesk.ingest import ingest_many
from servicenorm.store.tables import Conversation
from tests.web import factories as fx
from tests.web.conftest import World

AMS = ZoneInfo("Europe/Amsterdam")
EN_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def client(world: World, token: str, lang: str = "en") -> TestClient:
    c = TestClient(world.app, headers={"Accept-Language": lang})
    r = c.post("/ui/login", data={"token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return c


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def section(html: str, start: str, end: str | None = None) -> str:
    i = html.index(start)
    return html[i : html.index(end, i) if end else None]


def by_testid(html: str, name: str) -> str:
    m = re.search(rf'data-testid="{re.escape(name)}"[^>]*>(.*?)</', html, re.S)
    assert m, f"no {name} on the page"
    return unescape(m.group(1)).strip()


def en_dt(d: datetime) -> str:
    return f"{EN_DAYS[d.weekday()]} {d.day} {EN_MONTHS[d.month - 1]} {d:%H:%M}"


@pytest.fixture(scope="module")
def seller(world: World) -> Iterator[TestClient]:
    with client(world, world.tokens["bakker-late"]) as c:
        yield c


@pytest.fixture(scope="module")
def operator(world: World) -> Iterator[TestClient]:
    with client(world, world.operator) as c:
        yield c


@pytest.fixture(scope="module")
def restriction_end(world: World) -> datetime:
    """A restriction on bakker-late ending next week at 09:00 Amsterdam time."""
    local = world.now.astimezone(AMS).date() + timedelta(days=7)
    end = datetime.combine(local, time(9, 0), AMS)
    with world.container.sessions() as s:
        enforce_actions.start_action(
            s,
            key="defects|restrict",
            seller_id="bakker-late",
            policy="bol",
            kind="restrict_search",
            origin="ladder",
            reason="first response 80.0%, below the norm 90%",
            reason_code="norms",
            start=world.now - timedelta(hours=2),
            end=end,
            actor="system",
            now=world.now,
        )
        s.commit()
    return end


def add_sellers(world: World, market: str, histories: list[fx.History]) -> dict[str, str]:
    """More sellers with their histories in a marketplace of the world; their tokens."""
    c, now = world.container, world.now
    op = fx.operator(c)
    tokens: dict[str, str] = {}
    with c.sessions() as s:
        for h in histories:
            create_seller(s, op, h.seller, market, h.seller.title(), h.country, [], now)
            _acc, tokens[h.seller] = create_account(
                s,
                op,
                "seller",
                f"{h.seller} owner",
                None,
                marketplace=None,
                seller=h.seller,
                buyer=None,
                pepper=c.pepper,
                now=now,
            )
        objs = [e for h in histories for e in fx.events_for(h, market)]
        report = ingest_many(s, op, enumerate(objs, start=1), now)
        assert not report.errors, report.errors[:3]
        s.commit()
    return tokens


# -- 1: every instant a person reads is in the marketplace's zone, and the zone is stated


def test_restriction_end_is_shown_in_amsterdam_time(
    seller: TestClient, restriction_end: datetime
) -> None:
    html = seller.get("/ui/sellers/bakker-late/performance").text
    banners = text(section(html, 'class="banners"', 'class="next"'))
    assert f"until {en_dt(restriction_end)}" in banners  # 09:00, not 08:00 (UTC)
    assert "Times are shown in Amsterdam time." in text(html)


def test_overview_action_times_are_in_the_marketplace_zone(
    operator: TestClient, restriction_end: datetime
) -> None:
    html = operator.get("/ui/overview").text
    taken = text(section(html, 'data-testid="actions-taken"', "</table>"))
    # two marketplaces in two zones (bol: Amsterdam, etsy: UTC): each time names its zone
    assert f"{en_dt(restriction_end)} (Amsterdam)" in taken
    assert "each marketplace's own zone" in text(html)
    only_bol = operator.get("/ui/overview?preset=bol").text
    assert "Times are shown in Amsterdam time." in text(only_bol)


def test_queue_clock_opens_and_closes_at_bol_hours(seller: TestClient) -> None:
    html = seller.get("/ui/sellers/bakker-late/queue").text
    clock = text(section(html, 'id="clock-state"', "</p>"))
    assert re.search(r"(until|pause).* (09|17):00", clock), clock  # bol: 09:00-17:00 local
    assert "Times are shown in Amsterdam time." in text(html)


# -- 3: the weekly alert fires at 10 late questions


def test_weekly_alert_hint_counts_to_the_alert(world: World) -> None:
    with client(world, world.tokens["fiets-good"]) as c:
        html = c.get("/ui/sellers/fiets-good/performance").text
    need = by_testid(html, "need-weekly_late")
    assert need == "10 more late questions this week and the alert e-mail goes out.", need


# -- 2: the queue shows true totals, pages through all, and lets the seller choose the order


@pytest.fixture(scope="module")
def busy(world: World) -> str:
    """130 open questions for a new bol seller: 110 received two weeks ago (overdue), 20
    received just now (still in time)."""
    now = world.now
    old = [(now - timedelta(days=14, minutes=i), None) for i in range(110)]
    new = [(now - timedelta(minutes=1 + i % 5, seconds=i), None) for i in range(20)]
    h = fx.History("druk-bezet", "NL", old + new)
    tokens = add_sellers(world, "shop-nl", [h])
    world.tokens |= tokens
    return "druk-bezet"


def test_queue_states_true_totals_and_pages_through_all(world: World, busy: str) -> None:
    with client(world, world.tokens[busy]) as c:
        html = c.get(f"/ui/sellers/{busy}/queue").text
        assert by_testid(html, "queue-counts").startswith("130 open questions")
        assert "110 past their deadline" in text(html)
        assert by_testid(html, "queue-range") == "Showing 1–25 of 130"
        assert html.count('class="qitem state-overdue"') == 25
        ids = set(re.findall(r'data-id="([^"]+)"', html))
        page = 1
        while 'rel="next"' in html:
            page += 1
            html = c.get(f"/ui/sellers/{busy}/queue?page={page}").text
            ids |= set(re.findall(r'data-id="([^"]+)"', html))
        assert page == 6 and len(ids) == 130
        assert by_testid(html, "queue-range") == "Showing 126–130 of 130"
        perf = text(c.get(f"/ui/sellers/{busy}/performance").text)
        assert "130 questions are waiting" in perf and "110 of them are past" in perf


def test_queue_order_savable_first(world: World, busy: str) -> None:
    with client(world, world.tokens[busy]) as c:
        html = c.get(f"/ui/sellers/{busy}/queue?order=savable").text
        states = re.findall(r'class="qitem state-(\w+)"', html)
        assert len(states) == 25 and states[:20].count("overdue") == 0
        assert states[20:] == ["overdue"] * 5
        assert 'value="savable" selected' in html
        # the countdown's refresh asks for the same page in the same order
        assert 'data-refresh="/ui/sellers/druk-bezet/queue.json?order=savable"' in html
        state = c.get(f"/ui/sellers/{busy}/queue.json?order=savable").json()
        assert [i["state"] for i in state["items"]][:20].count("overdue") == 0
        only = c.get(f"/ui/sellers/{busy}/queue?show=overdue&page=5").text
        assert by_testid(only, "queue-range") == "Showing 101–110 of 110"


def test_queue_filters_waiting_on_buyer_with_counts(world: World, seller: TestClient) -> None:
    """The answered conversations still open wait for the buyer: a filter of their own, and
    every filter says how many it holds."""
    with world.container.sessions() as s:
        c = Conversation
        waiting = s.scalar(
            select(func.count())
            .select_from(c)
            .where(
                c.seller_id == "bakker-late",
                c.deadline.is_(None),
                c.closed_at.is_(None),
                c.first_reply_at.isnot(None),
            )
        )
    assert waiting and waiting > 25
    html = seller.get("/ui/sellers/bakker-late/queue").text
    assert f"answered, waiting for the buyer ({waiting})" in text(html)
    assert "all open questions (1)" in text(html)
    page = seller.get("/ui/sellers/bakker-late/queue?show=waiting_buyer").text
    listed = re.search(r'data-testid="waiting-buyer">(.*?)</ol>', page, re.S)
    assert listed and listed.group(1).count('class="qitem"') == 25
    assert (
        by_testid(page, "queue-range") == f"1–25 of {waiting} conversations waiting for the buyer"
    )
    assert 'class="qitem state-' not in page  # no question to answer among them
    last = seller.get(f"/ui/sellers/bakker-late/queue?show=waiting_buyer&page={-(-waiting // 25)}")
    assert f"of {waiting} conversations" in text(last.text) and 'rel="next"' not in last.text


def test_notices_sorted_by_severity_then_date_and_info_reads_as_info(world: World) -> None:
    """Issue 14, defect 4: notices are sorted (restriction, warning, information; newest first
    within each) and one posted as `info` is shown as information, not as a warning."""
    from servicenorm.notify.banners import post_banner

    now = world.now
    with world.container.sessions() as s:
        for key, level, template, ctx, ago in (
            ("info-new", "info", "question_rate", {"rate": 0.2, "norm": 0.1}, 1),
            ("warn-old", "warning", "weekly_late", {"week": "2026-W47", "late": 12}, 9),
            ("warn-new", "warning", "weekly_late", {"week": "2026-W48", "late": 11}, 2),
        ):
            post_banner(
                s,
                key=f"sort:{key}",
                seller_id="fiets-good",
                page="performance",
                level=level,  # type: ignore[arg-type]
                template=template,
                context=ctx,
                start=now - timedelta(days=ago),
                now=now,
            )
        enforce_actions.start_action(
            s,
            key="sort|restrict",
            seller_id="fiets-good",
            policy="bol",
            kind="restrict_search",
            origin="operator",
            reason="oldest of all, still first",
            reason_code="operator",
            start=now - timedelta(days=20),
            end=None,
            actor="system",
            now=now,
        )
        s.commit()
    with client(world, world.tokens["fiets-good"]) as c:
        html = c.get("/ui/sellers/fiets-good/performance").text
    notices = section(html, 'id="banners-h"', "</section>")
    kinds = re.findall(r'class="banner banner-(\w+)"', notices)
    assert kinds == ["restriction", "warning", "warning", "info"]
    flat = text(notices)
    assert flat.index("since Tue 1 Dec") < flat.index("since Tue 24 Nov")  # newer first
    assert "For your information" in flat and flat.count("Warning") == 2


def test_overview_says_what_changed_since_last_week(world: World) -> None:
    """Issue 14: "what changed since last week": a seller whose late answers all fall in the
    last days is new below; one whose late answers left the window in the last week is back
    above. Both against the same board a week earlier."""
    now = world.now
    op = fx.operator(world.container)
    days = fx.working_days(now, "Europe/Amsterdam", 26, time(10, 0))
    recent = [d for d in days if d > now - timedelta(days=6)]
    older = [d for d in days if d <= now - timedelta(days=6)]
    earlier = fx.working_days(now - timedelta(days=28), "Europe/Amsterdam", 7, time(10, 0))
    fresh = fx.History(
        "nieuw-onder",
        "NL",
        [(d, timedelta(hours=1)) for d in older]
        + [(d, fx.late(d, "bol", "NL", timedelta(days=2))) for d in recent],
    )
    back = fx.History(
        "weer-boven",
        "NL",
        [
            (d, fx.late(d, "bol", "NL", timedelta(days=1)))
            for d in earlier
            if d < now - timedelta(days=29)
        ]
        + [(d, timedelta(hours=1)) for d in days],
    )
    with world.container.sessions() as s:
        for h in (fresh, back):
            create_seller(
                s, op, h.seller, "shop-nl", h.seller.title(), "NL", [], now - timedelta(days=90)
            )
        objs = [e for h in (fresh, back) for e in fx.events_for(h, "shop-nl")]
        report = ingest_many(s, op, enumerate(objs, start=1), now)
        assert not report.errors, report.errors[:3]
        s.commit()
    with client(world, world.operator) as c:
        html = c.get("/ui/overview?preset=bol").text
    changed = section(html, 'data-testid="changed"', "</section>")
    assert "What changed since last week" in text(changed)
    new_below = section(changed, 'data-testid="new-below"', "</ul>")
    back_above = section(changed, 'data-testid="back-above"', "</ul>")
    assert "Nieuw-Onder" in text(new_below) and "Weer-Boven" not in text(new_below)
    assert "Weer-Boven" in text(back_above) and "Nieuw-Onder" not in text(back_above)
    assert "Bakker Late" not in text(changed)  # below then and now: no change
    assert "/ui/sellers/nieuw-onder/history" in new_below


# -- 5: one current window: evaluate's default, run-demo's and the pages', stated on figures


def test_one_current_window_everywhere(world: World, seller: TestClient) -> None:
    from servicenorm.cli.eventlog import resolve_window
    from servicenorm.policy.stored import policy_for
    from servicenorm.web.pages.board import score_window

    bol = policy_for("bol")
    cli = resolve_window(bol, None, None, world.now.isoformat())
    page = score_window(bol, world.now)
    today = world.now.astimezone(AMS).date()
    assert (
        (cli.start, cli.end)
        == (page.start, page.end)
        == (today - timedelta(days=27), today + timedelta(days=1))
    )
    last = page.end - timedelta(days=1)
    stated = f"Window: {page.start.day} {EN_MONTHS[page.start.month - 1]} {page.start.year} – {last.day} {EN_MONTHS[last.month - 1]} {last.year}"
    html = seller.get("/ui/sellers/bakker-late/performance").text
    assert by_testid(html, "period-first_response") == stated
    assert by_testid(html, "period-weekly_late").startswith("Week: ")


# -- 7: no internal names in what people read


INTERNAL = [
    (re.compile(r"\b[a-z]+(?:_[a-z]+)+\b"), "a snake_case name (norm, action kind, state)"),
    (re.compile(r"\b\d{4}-W\d\d\b"), "an ISO week code"),
    (re.compile(r"\b\d+:\d\d:\d\d\b"), "a duration as h:mm:ss"),
    (re.compile(r"registry", re.I), "the metric registry"),
]


def visible(html: str) -> str:
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    return text(html)


def assert_plain(html: str, where: str) -> None:
    shown = visible(html)
    for pattern, what in INTERNAL:
        m = pattern.search(shown)
        assert m is None, (
            f"{where}: {what} {m.group(0)!r} in …{shown[max(0, m.start() - 60) : m.end() + 60]}…"
        )


def test_pages_show_no_internal_names(world: World, restriction_end: datetime) -> None:
    from servicenorm.notify import banners as nb

    with world.container.sessions() as s:
        nb.post_banner(
            s,
            key="defects|notify",
            seller_id="bakker-late",
            page="performance",
            level="warning",
            template="notify",
            context={"norms": "first_response, phone"},
            start=world.now - timedelta(hours=1),
            now=world.now,
        )
        nb.post_banner(
            s,
            key="defects|weekly",
            seller_id="bakker-late",
            page="performance",
            level="warning",
            template="weekly_late",
            context={"late": 11, "week": "2026-W10"},
            start=world.now - timedelta(hours=1),
            now=world.now,
        )
        s.commit()
    for lang in ("en", "nl"):
        with client(world, world.tokens["bakker-late"], lang) as c:
            for url in (
                "/ui/sellers/bakker-late/performance",
                "/ui/sellers/bakker-late/queue",
                "/ui/sellers/bakker-late/performance/first_response",
                "/ui/sellers/bakker-late/performance/weekly_late",
            ):
                assert_plain(c.get(url).text, f"{lang} {url}")
            perf = visible(c.get("/ui/sellers/bakker-late/performance").text)
            assert ("First reply to a question" if lang == "en" else "Eerste reactie") in perf
        with client(world, world.operator, lang) as op:
            html = op.get("/ui/overview").text
            assert_plain(html, f"{lang} overview")
            csrf = re.search(r'name="csrf" value="([^"]+)"', html)
            assert csrf
            sim = op.post(
                "/ui/overview/simulate",
                data={"csrf": csrf.group(1), "marketplace": "shop-nl", "target": "99"},
            ).text
            assert_plain(sim[sim.index('id="simulation"') :], f"{lang} simulation")
    with client(world, world.operator, "nl") as op:
        options = re.findall(r'<select id="f-norm".*?</select>', op.get("/ui/overview").text, re.S)
        assert "Eerste reactie" in options[0] and "First" not in options[0]


# -- 10: the overview's columns, seller names that do not wrap, weeks within the window


def test_overview_columns_names_and_weeks(world: World, operator: TestClient) -> None:
    html = operator.get("/ui/overview").text
    table = section(html, 'data-testid="at-risk"', "</thead>")
    headers = [text(h).strip() for h in re.findall(r"<th scope=\"col\">(.*?)</th>", table)]
    assert len(headers) == len(set(headers)), headers  # one "Norm", then "Target"
    assert "Target" in headers
    assert re.search(r'class="nowrap">Bakker Late</a>', html)
    with client(world, world.tokens["bakker-late"]) as c:
        page = c.get("/ui/sellers/bakker-late/performance/first_response").text
    select = section(page, 'id="f-week"', "</select>")
    offered = re.findall(r'<option value="(\d{4}-W\d\d)"', select)
    w = score_window_of(world)
    assert offered == [code for code, _, _ in w.iso_weeks()]
    assert len(offered) <= 5  # 28 days touch at most 5 ISO weeks, not the trend's 8


def score_window_of(world: World) -> Any:
    from servicenorm.metrics import current_window
    from servicenorm.policy.stored import policy_for

    bol = policy_for("bol")
    return current_window(bol.window.days, bol.zone, world.now)


# -- 6: masked contact details: said before sending, with the offer to edit


def _open_question(html: str) -> tuple[str, str]:
    cid = re.search(r'data-id="([^"]+)"', html)
    csrf = re.search(r'name="csrf" value="([^"]+)"', html)
    assert cid and csrf
    return cid.group(1), csrf.group(1)


def test_masking_is_announced_before_sending_and_after(world: World) -> None:
    draft = "Bel me gerust op 06-12345678, dan regelen we het."
    with client(world, world.tokens["boek-risk"]) as c:
        html = c.get("/ui/sellers/boek-risk/queue").text
        cid, csrf = _open_question(html)
        assert f'data-check="/ui/conversations/{cid}/check"' in html
        v = c.post(f"/ui/conversations/{cid}/check", data={"body": draft, "csrf": csrf}).json()
        assert v["action"] == "mask" and v["removed"][0]["kind"] == "phone"
        assert "phone number “06-12345678”" in v["message"]
        assert "does not allow contact details" in v["message"]
        assert "06-12345678" not in v["delivered"]
        fine = c.post(
            f"/ui/conversations/{cid}/check", data={"body": "Het boek is onderweg.", "csrf": csrf}
        )
        assert fine.json()["message"] == ""
        # sending: nothing goes out until the seller chooses; the draft comes back to edit
        r = c.post(f"/ui/conversations/{cid}/reply", data={"body": draft, "csrf": csrf})
        assert r.status_code == 422
        notice = text(section(r.text, f'id="err-{cid}"', "</div>"))
        assert "phone number “06-12345678”" in notice and "Edit your answer" in notice
        assert "06-12345678" not in by_testid(r.text, "masked-preview")
        assert f">{draft}</textarea>" in r.text and 'name="masked_ok" value="1"' in r.text
        assert f'data-id="{cid}"' in c.get("/ui/sellers/boek-risk/queue").text  # not sent
        sent = c.post(
            f"/ui/conversations/{cid}/reply",
            data={"body": draft, "csrf": csrf, "masked_ok": "1"},
            follow_redirects=False,
        )
        assert sent.status_code == 303 and "masked=phone" in sent.headers["location"]
        page = c.get(sent.headers["location"]).text
        assert by_testid(page, "sent-masked").startswith(
            "Your answer was sent without these contact details: phone number."
        )


# -- "what you need" as a plan with dates


def test_plan_with_dates_for_a_seller_below(world: World, seller: TestClient) -> None:
    html = seller.get("/ui/sellers/bakker-late/performance").text
    plan = text(section(html, 'data-testid="plan-first_response"', 'class="button"'))
    assert "If no new answer is late:" in plan
    rows = re.findall(
        r"<tr><th scope=\"row\"[^>]*>([^<]+)</th>\s*<td[^>]*>(\d+) late, (\d+) on time</td>",
        section(html, 'data-testid="plan-first_response"'),
    )
    assert rows, plan
    first_day = rows[0][0]
    assert re.fullmatch(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} \w{3}", first_day), first_day
    assert "you meet the norm again" in plan or "not enough yet" in plan
    with client(world, world.tokens["fiets-good"]) as good:
        assert 'data-testid="plan-' not in good.get("/ui/sellers/fiets-good/performance").text


# -- tables export as CSV, with the page's filters and texts


def test_tables_export_as_csv(seller: TestClient, operator: TestClient) -> None:
    r = seller.get("/ui/sellers/bakker-late/performance/first_response?status=late&format=csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Question,Received,Deadline,First reply,Working time taken,Status"
    assert len(lines) > 3 and all(x.endswith(",late") for x in lines[1:])
    page = seller.get("/ui/sellers/bakker-late/performance/first_response?status=late").text
    assert "status=late&amp;format=csv" in page
    ov = operator.get("/ui/overview?format=csv").content.decode("utf-8-sig").splitlines()
    assert ov[0].startswith("Seller,Marketplace,Country,Norm,Value,Target,Status")
    assert any(x.startswith("Bakker Late,") for x in ov[1:])

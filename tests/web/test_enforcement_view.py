"""The pages show what enforcement recorded: notices, restrictions in force, badges, actions
taken and work pending, through enforcement's and notification's own functions."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from servicenorm.enforce import actions as enforce_actions
from servicenorm.notify import banners as nb
from tests.web.conftest import World, at_every_instant


def _record(world: World) -> None:
    c, now = (
        world.container,
        world.now,
    )  # the store has enforcement's tables (migration 0100_enforce)
    with c.sessions() as s:
        nb.post_banner(
            s,
            key="t|weekly",
            seller_id="bakker-late",
            page="performance",
            level="warning",
            template="weekly_late",
            context={"late": 11, "week": "2026-W10"},
            start=now - timedelta(hours=1),
            now=now,
        )
        enforce_actions.start_action(
            s,
            key="t|restrict",
            seller_id="bakker-late",
            policy="bol",
            kind="restrict_search",
            origin="ladder",
            reason="first response 80.0%, below the norm 90%",
            reason_code="norms",
            start=now - timedelta(hours=2),
            end=now + timedelta(days=14),
            actor="system",
            now=now,
        )
        enforce_actions.start_action(
            s,
            key="t|old",
            seller_id="bakker-late",
            policy="bol",
            kind="notify",
            origin="ladder",
            reason="first response below the norm",
            reason_code="norms",
            start=now - timedelta(days=9),
            end=None,
            actor="system",
            now=now,
        )
        s.commit()


@at_every_instant
def test_seller_sees_notices_and_restrictions_operator_sees_actions(world: World) -> None:
    _record(world)
    seller = TestClient(world.app, headers={"Accept-Language": "en"})
    seller.post("/ui/login", data={"token": world.tokens["bakker-late"]})
    html = seller.get("/ui/sellers/bakker-late/performance").text
    banners = re.sub(r"\s+", " ", html[html.index('class="banners"') : html.index('class="next"')])
    assert "11 questions without a timely first reply in 2 March 2026 – 8 March 2026." in banners
    assert (
        "Restriction: Listings kept out of search and other site features" in banners
        and "first response 80.0%, below the norm 90%" in banners
    )
    other = TestClient(world.app, headers={"Accept-Language": "en"})
    other.post("/ui/login", data={"token": world.tokens["fiets-good"]})
    assert 'class="banners"' not in other.get("/ui/sellers/fiets-good/performance").text
    op = TestClient(world.app, headers={"Accept-Language": "en"})
    op.post("/ui/login", data={"token": world.operator})
    overview = op.get("/ui/overview").text
    taken = overview[overview.index('data-testid="actions-taken"') :]
    assert "Listings kept out of search" in taken and "E-mail and banner" in taken
    assert (
        "bakker-late"
        in op.get("/ui/overview?country=NL").text.split('data-testid="actions-taken"')[1]
    )
    assert 'data-testid="actions-taken"' not in op.get("/ui/overview?country=BE").text


@at_every_instant
def test_operator_simulates_a_stricter_policy(world: World) -> None:
    op = TestClient(world.app, headers={"Accept-Language": "en"})
    op.post("/ui/login", data={"token": world.operator})
    html = op.get("/ui/overview").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', html)
    assert csrf and 'id="sim-target"' in html
    r = op.post(
        "/ui/overview/simulate",
        data={"csrf": csrf.group(1), "marketplace": "shop-nl", "target": "99"},
    )
    assert r.status_code == 200
    result = re.sub(r"\s+", " ", r.text[r.text.index('data-testid="sim-result"') :])
    assert "bol, response target 99%:" in result and "of 3 sellers would differ" in result
    assert "boek-risk" in result  # meets 90 %, not 99 %: gains a first-response finding
    bad = op.post(
        "/ui/overview/simulate",
        data={
            "csrf": csrf.group(1),
            "marketplace": "shop-nl",
            "policy": "name = 'bol'\nthis is not toml",
        },
    )
    assert bad.status_code == 422 and "not valid TOML" in bad.text
    assert (
        op.post(
            "/ui/overview/simulate", data={"csrf": "x", "marketplace": "shop-nl", "target": "95"}
        ).status_code
        == 403
    )
    seller = TestClient(world.app, headers={"Accept-Language": "en"})
    seller.post("/ui/login", data={"token": world.tokens["bakker-late"]})
    page = seller.get("/ui/sellers/bakker-late/performance").text
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    assert (
        seller.post(
            "/ui/overview/simulate",
            data={"csrf": token.group(1), "marketplace": "shop-nl", "target": "95"},
        ).status_code
        == 403
    )

"""Issue 11 item 10: login refuses posts from other sites, every answer carries the security
headers, the pages meet the content security policy, and /docs works without a network."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from servicenorm.web.pages.session import COOKIE
from tests.web.conftest import World


@pytest.fixture
def c(world: World) -> Iterator[TestClient]:
    with TestClient(world.app) as client:
        yield client


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # a sandboxed frame or a data: page
        {"Referer": "https://evil.example/login-csrf.html"},
        {"Origin": "http://testserver.evil.example", "Referer": "http://testserver/ui/login"},
    ],
)
def test_login_refuses_a_post_from_another_site(
    c: TestClient, world: World, headers: dict[str, str]
) -> None:
    r = c.post(
        "/ui/login",
        data={"token": world.tokens["bakker-late"]},
        headers=headers,
        follow_redirects=False,
    )
    assert r.status_code == 403 and COOKIE not in r.cookies and "another site" in r.text


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://testserver"},
        {"Referer": "http://testserver/ui/login?next=/ui/overview"},
        {},  # a program (curl, a script): no page of another site is involved
    ],
)
def test_login_from_this_site_works(c: TestClient, world: World, headers: dict[str, str]) -> None:
    r = c.post(
        "/ui/login",
        data={"token": world.tokens["bakker-late"]},
        headers=headers,
        follow_redirects=False,
    )
    assert r.status_code == 303 and COOKIE in r.cookies


def test_every_answer_carries_the_security_headers(c: TestClient, world: World) -> None:
    bearer = {"Authorization": f"Bearer {world.operator}"}
    answers = [
        c.get("/ui/login"),
        c.get("/ui/sellers/bakker-late/performance", follow_redirects=False),  # redirect
        c.get("/sellers", headers=bearer),  # API JSON
        c.get("/me"),  # 401
        c.get("/no-such-thing"),  # 404
        c.get("/static/pages.css"),
        c.get("/docs"),
        c.get("/openapi.json"),
    ]
    for r in answers:
        h = r.headers
        where = f"{r.request.url} ({r.status_code})"
        assert h["x-frame-options"] == "DENY", where
        assert h["x-content-type-options"] == "nosniff", where
        assert h["referrer-policy"] == "same-origin", where
        csp = h["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, where
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where


def test_the_templates_have_no_inline_script_or_style() -> None:
    from servicenorm.web.pages.render import TEMPLATES

    for path in TEMPLATES.glob("*.html"):
        html = path.read_text()
        scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
        assert all('type="application/json"' in s for s in scripts), path  # data, not code
        assert "<style" not in html and " style=" not in html, path
        assert not re.search(r"\son[a-z]+=", html), path  # no onclick= and the like


def test_docs_are_served_from_the_package(c: TestClient) -> None:
    html = c.get("/docs").text
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") for u in urls), urls  # nothing from a CDN
    for u in urls:
        r = c.get(u)
        assert r.status_code == 200 and len(r.content) > 100, u
    assert c.get("/redoc").status_code == 200
    assert c.get("/docs-assets/redoc.standalone.js").status_code == 200


_COLLECT = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def offline(browser: Any, server: str) -> Iterator[tuple[Any, list[str]]]:
    """A page that can reach only the test server (every other request is aborted, as on a
    machine without network) and that records every CSP violation and failed request."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    problems: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(server):
            r.continue_()
        else:
            problems.append(f"outside request: {r.request.url}")
            r.abort()

    ctx.route("**/*", route)
    ctx.add_init_script(_COLLECT)
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield page, problems
    ctx.close()


def _violations(page: Any) -> list[str]:
    return list(page.evaluate("window.__csp || []"))


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_docs_render_offline_without_csp_violations(
    offline: tuple[Any, list[str]], server: str
) -> None:
    page, problems = offline
    page.goto(f"{server}/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "servicenorm" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() > 20  # the operations are listed
    page.locator(".opblock-summary").first.click()  # and open
    page.locator(".opblock-body").first.wait_for()
    assert _violations(page) == [] and problems == []


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_the_pages_meet_the_content_security_policy(
    offline: tuple[Any, list[str]], server: str, world: World
) -> None:
    page, problems = offline
    seen: list[str] = []
    for token, urls in (
        (
            world.tokens["bakker-late"],
            [
                "/ui/sellers/bakker-late/performance",
                "/ui/sellers/bakker-late/performance/first_response",
            ],
        ),
        (world.staff, ["/ui/sellers/wol-atelier/queue"]),
        (world.operator, ["/ui/overview", "/ui/sellers/boek-risk/performance"]),
    ):
        page.context.clear_cookies()
        page.goto(f"{server}/ui/login#token={token}")  # login.js fills in and submits
        page.wait_for_url(re.compile(r".*/ui/(sellers|overview).*"))
        seen += _violations(page)
        for url in urls:
            page.goto(server + url)
            page.wait_for_load_state("load")
            seen += [f"{url}: {v}" for v in _violations(page)]
    assert seen == [] and problems == []

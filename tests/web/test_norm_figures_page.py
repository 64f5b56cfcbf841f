"""The seller page over HTTP at the first-response boundary: one question below, at and above
90 %, each written with the digits that show which side it is on, and the status the
registry's comparison gives (the same one findings and the score use)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from html import unescape

import pytest
from fastapi.testclient import TestClient

from servicenorm.web.app import create_app
from servicenorm.web.deps import get_now
from servicenorm.web.pages.board import forget
from tests.web import factories as fx

NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)  # a Wednesday, 16:00 in Amsterdam
LATE = 39


def _history(seller: str, on_time: int) -> fx.History:
    """`LATE` late questions on the oldest days, then `on_time` answered in 30 minutes."""
    days = fx.working_days(NOW, "Europe/Amsterdam", 20, time(9, 0))
    n = LATE + on_time
    per_day = -(-n // len(days))
    asked = [d + timedelta(minutes=i) for d in days for i in range(per_day)][:n]
    return fx.History(
        seller,
        "NL",
        [
            (t, timedelta(days=4) if k < LATE else timedelta(minutes=30))
            for k, t in enumerate(asked)
        ],
    )


@pytest.fixture(scope="module")
def app_tokens(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    forget()
    c = fx.container(tmp_path_factory.mktemp("boundary"), NOW)
    sellers = [_history("fr-below", 350), _history("fr-at", 351), _history("fr-above", 352)]
    tokens = fx.seed(c, "shop-nl", "bol", sellers, NOW)
    app = create_app(container=c)

    async def fixed_now() -> datetime:
        return NOW

    app.dependency_overrides[get_now] = fixed_now
    with TestClient(app) as client:
        yield client, tokens
    c.engine.dispose()
    forget()


def _page(app_tokens: tuple[TestClient, dict[str, str]], seller: str, lang: str) -> str:
    client, tokens = app_tokens
    client.cookies.clear()
    r = client.post("/ui/login", data={"token": tokens[seller]}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(f"/ui/sellers/{seller}/performance", headers={"Accept-Language": lang})
    assert page.status_code == 200
    return page.text


def _testid(html: str, name: str) -> str:
    m = re.search(rf'data-testid="{re.escape(name)}"[^>]*>(.*?)</', html, re.S)
    assert m, f"no {name} on the page"
    return unescape(m.group(1)).strip()


@pytest.mark.parametrize(
    ("seller", "value", "of", "below", "score"),
    [
        ("fr-below", "89.97%", "(350/389)", True, "0%"),
        ("fr-at", "90%", "(351/390)", False, "100%"),
        ("fr-above", "90.03%", "(352/391)", False, "100%"),
    ],
)
def test_the_seller_page_writes_the_boundary_as_the_registry_decides_it(
    app_tokens: tuple[TestClient, dict[str, str]],
    seller: str,
    value: str,
    of: str,
    below: bool,
    score: str,
) -> None:
    html = _page(app_tokens, seller, "en")
    assert _testid(html, "value-first_response") == value
    assert _testid(html, "of-first_response") == of
    assert (_testid(html, "status-first_response") == "Below the norm") is below
    assert "norm: at least 90%" in re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
    assert _testid(html, "score") == f"Performance score: {score} of the norms in the score met."
    nl = _page(app_tokens, seller, "nl")
    assert _testid(nl, "value-first_response") == value.replace(".", ",")
    assert "Eerste reactie binnen" in nl

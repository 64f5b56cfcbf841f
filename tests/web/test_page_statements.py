"""The statements a page view sends to the store do not grow with the marketplace: the
overview reads every seller with one query per kind (a marketplace of 2 sellers and one of 5
cost the same), a seller's page and its performance API read one seller with a bounded number of
statements whether it has 3 questions or 15 (one per kind of item, and one more for a kind
with a day not settled yet), and nothing is read per card or per trend week.
A regression to per-seller or per-item queries fails here, whatever the machine's speed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from servicenorm.bootstrap import Container
from servicenorm.demo.store_seed import OPERATOR
from servicenorm.helpdesk.accounts import create_account
from servicenorm.web.app import create_app
from tests.sql_statements import statements
from tests.web import factories as fx

# what a view costs today, with a little room; per-seller or per-card reads would add
# several statements per seller or card
PAGE_MAX = 32
API_MAX = 22


@dataclass
class Store:
    container: Container
    app: Any
    tokens: dict[str, str]


def _history(seller: str, days: list[datetime], every_late: int) -> fx.History:
    late = timedelta(days=3)
    return fx.History(
        seller,
        "NL",
        [
            (d, late if every_late and i % every_late == 0 else timedelta(minutes=30))
            for i, d in enumerate(days)
        ]
        + [(days[-1] + timedelta(hours=2), None)],
        calls=[(d + timedelta(hours=2), i % 5 != 0) for i, d in enumerate(days)],
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    now = fx.NOW
    c = fx.container(tmp_path_factory.mktemp("statements"), now)
    many = fx.working_days(now, "Europe/Amsterdam", 15, clock_time(10, 0))
    few = many[-3:]
    tokens = fx.seed(
        c, "small", "bol", [_history("s-busy", many, 4), _history("s-quiet", few, 0)], now
    )
    # the same two kinds of seller as `small` (so the same kinds of day are settled or not)
    large = [_history(f"l-{i}", many, 4) if i % 2 else _history(f"l-{i}", few, 0) for i in range(5)]
    tokens |= fx.seed(c, "large", "bol", large, now)
    with c.sessions() as s:
        for market in ("small", "large"):
            _acc, tokens[f"op-{market}"] = create_account(
                s, OPERATOR, "operator", f"{market} operator", None,
                marketplace=market, seller=None, buyer=None, pepper=c.pepper, now=now,
            )  # fmt: skip
        s.commit()
    yield Store(c, create_app(container=c), tokens)
    c.engine.dispose()


def _statements(store: Store, token: str, path: str, api: bool = False) -> int:
    client = TestClient(store.app)  # (no lifespan: these views need none of it)
    headers = {}
    if api:
        headers = {"Authorization": f"Bearer {token}"}
    else:
        r = client.post("/ui/login", data={"token": token}, follow_redirects=False)
        assert r.status_code == 303, r.text
    client.get(path, headers=headers)  # the session's first use is not the view's cost
    with statements(store.container.engine) as seen:
        r = client.get(path, headers=headers)
    assert r.status_code == 200, r.text[:300]
    return len(seen)


def test_the_overview_reads_every_seller_with_the_same_statements(store: Store) -> None:
    small = _statements(store, store.tokens["op-small"], "/ui/overview")
    large = _statements(store, store.tokens["op-large"], "/ui/overview")
    assert small == large


def test_a_sellers_page_costs_the_same_statements_whatever_its_volume(store: Store) -> None:
    op = store.tokens["op-small"]
    busy = _statements(store, op, "/ui/sellers/s-busy/performance")
    quiet = _statements(store, op, "/ui/sellers/s-quiet/performance")
    assert busy <= PAGE_MAX
    assert quiet <= busy  # a seller with data below the norm shows the plan as well


def test_the_performance_api_costs_the_same_statements_whatever_the_volume(
    store: Store,
) -> None:
    op = store.tokens["op-small"]
    busy = _statements(store, op, "/sellers/s-busy/performance", api=True)
    quiet = _statements(store, op, "/sellers/s-quiet/performance", api=True)
    assert busy <= API_MAX and quiet <= API_MAX
    small = _statements(store, op, "/marketplaces/small/performance", api=True)
    large = _statements(
        store, store.tokens["op-large"], "/marketplaces/large/performance", api=True
    )
    assert small == large


def test_the_overview_shows_the_first_lines_and_the_csv_has_them_all(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from servicenorm.web.pages import overview

    client = TestClient(store.app, headers={"Accept-Language": "en"})
    r = client.post("/ui/login", data={"token": store.tokens["op-large"]}, follow_redirects=False)
    assert r.status_code == 303
    every = client.get("/ui/overview?format=csv").text.strip().splitlines()[1:]
    assert len(every) >= 2
    monkeypatch.setattr(overview, "LINES_SHOWN", 1)
    page = client.get("/ui/overview").text
    table = page[page.index('data-testid="at-risk"') :]
    assert table[: table.index("</table>")].count("<tr>") == 2  # the header and one line
    assert f"{len(every) - 1} more line" in page
    assert client.get("/ui/overview?format=csv").text.strip().splitlines()[1:] == every

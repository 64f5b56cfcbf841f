"""The live store's performance equals `evaluate` (DuckDB), the reference that recomputes
everything from the event log: for random demo marketplaces (random seeds, presets, DST weeks)
salted with trouble (events out of order, duplicates, late phone-hours changes and closures,
cancellations, replies exactly at the deadline), ingested one event at a time through
`POST /events` and in random chunks through the bulk ingest, on SQLite and PostgreSQL, for every
seller and figure at random as-of instants and windows. Both stores hold the same items.

`evaluate` reads the events the store accepted (its event log): a message sent before its
question reached the store is refused there, and evaluate does not see it either.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from servicenorm.demo import generate_events
from servicenorm.demo.store_seed import OPERATOR
from servicenorm.engines import make_engine as metric_engine
from servicenorm.events import read_events
from servicenorm.helpdesk import ingest
from servicenorm.helpdesk.performance import seller_metrics
from servicenorm.helpdesk.projection.aggregates import rebuild
from servicenorm.helpdesk.reply_deadlines import deadline_for
from servicenorm.metrics import Window, prepare, report
from servicenorm.policy import load_policy
from servicenorm.settings import Settings
from servicenorm.store.base import Base
from servicenorm.store.db import make_engine, make_session_factory
from servicenorm.web.app import create_app
from tests.integration.conftest import OPERATOR_TOKEN, new_database

NOW = datetime(2026, 12, 1, tzinfo=UTC)  # when the events are received (not what they say)
STARTS = [date(2026, 3, 23), date(2026, 10, 19), date(2026, 4, 20)]  # two DST weeks, one plain
ITEM_TABLES = ("question_items", "turn_items", "call_items", "review_items", "orders")
AGGREGATES = ("question_days", "turn_days", "call_days", "review_days", "order_days")


def _ev(id: str, type: str, at: datetime, **fields: Any) -> dict[str, Any]:
    return {"id": id, "type": type, "at": at.isoformat(), **fields}


def _log(seed: int, preset: str, start: date) -> list[dict[str, Any]]:
    """A small demo marketplace, shuffled and salted with trouble."""
    events: list[dict[str, Any]] = list(
        generate_events(sellers=2, days=9, preset=preset, seed=seed, start=start)
    )
    rng = random.Random(seed)
    at = {e["id"]: datetime.fromisoformat(e["at"]) for e in events}
    sellers = [e for e in events if e["type"] == "seller_registered"]
    seller, country = sellers[0]["seller"], sellers[0]["country"]
    mid = datetime.combine(start + timedelta(days=4), datetime.min.time(), UTC)
    late: list[dict[str, Any]] = [
        _ev("x-hours", "phone_hours_set", mid, seller=seller, hours={"mon": [["09:00", "12:00"]]}),
        _ev("x-closed", "shop_closed", mid + timedelta(hours=30), seller=seller),
        _ev("x-open", "shop_reopened", mid + timedelta(hours=60), seller=seller),
    ]
    orders = [e for e in events if e["type"] == "order_placed"]
    for o in rng.sample(orders, min(3, len(orders))):
        late.append(
            _ev(
                f"x-cancel-{o['order']}",
                "order_cancelled",
                at[o["id"]] + timedelta(hours=5),
                order=o["order"],
            )
        )
    answered = {e["conversation"] for e in events if e["type"] == "message_sent"}
    for q in [e for e in events if e["type"] == "question_opened"][:40]:
        if q["conversation"] in answered or q["seller"] != seller:
            continue
        due = deadline_for(preset, country, at[q["id"]])  # a reply exactly at the deadline
        late.append(
            _ev(
                f"x-due-{q['id']}",
                "message_sent",
                due,
                conversation=q["conversation"],
                author="seller",
                body="Op tijd.",
            )
        )
        break
    if load_policy(preset).response.reply_waiver:  # "no reply needed": in time, and too late
        open_questions = [
            e
            for e in events
            if e["type"] == "question_opened"
            and e["conversation"] not in answered
            and e["seller"] == seller
        ]
        for q, after in zip(open_questions, (timedelta(hours=1), timedelta(days=3)), strict=False):
            late.append(
                _ev(
                    f"x-waive-{q['id']}",
                    "reply_waived",
                    at[q["id"]] + after,
                    conversation=q["conversation"],
                    author="staff",
                )
            )
    for _ in range(len(events) // 12):  # late arrivals: some messages before their question
        j = rng.randrange(len(events) - 1)
        events.insert(min(len(events), j + rng.randint(1, 40)), events.pop(j))
    for j in rng.sample(range(len(events)), 10):  # the same event again
        events.append(dict(events[j]))
    return events + late


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-4
    return bool(a == b)


def _rows(c: Any, tables: tuple[str, ...]) -> dict[str, list[tuple[Any, ...]]]:
    return {
        t: [
            tuple(r)
            for r in c.execute(
                select(Base.metadata.tables[t]).order_by(
                    *Base.metadata.tables[t].primary_key.columns
                )
            )
        ]
        for t in tables
    }


def _items(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(url)
    with engine.connect() as c:
        out = _rows(c, ITEM_TABLES + AGGREGATES)
    engine.dispose()
    return out


def _market(c: Any) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    return {
        tuple(r[:3]): tuple(r[3:]) for r in _rows(c, ("market_order_days",))["market_order_days"]
    }


def _aggregates_are_the_items_counted_again(url: str) -> None:
    """What the writer kept event by event (or chunk by chunk) is what counting every item
    from scratch gives; a marketplace row may only say it settled later than it did."""
    engine = make_engine(url)
    with engine.connect() as c:
        kept, market = _rows(c, AGGREGATES), _market(c)
        rebuild(c)  # in the connection's own transaction, rolled back
        assert _rows(c, AGGREGATES) == kept
        again = _market(c)
        c.rollback()
    engine.dispose()
    assert market.keys() == again.keys()
    for k, (orders, questions, settled) in market.items():
        assert (orders, questions) == again[k][:2], k
        assert settled >= again[k][2], k


def _one_at_a_time(url: str, events: list[dict[str, Any]], tmp: Path) -> None:
    app = create_app(
        Settings(environment="test", data_dir=tmp, database_url=url, operator_token=OPERATOR_TOKEN)
    )
    with TestClient(app) as c:
        for e in events:
            r = c.post("/events", json=e, headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"})
            assert r.status_code in (200, 422), r.text
    app.state.container.engine.dispose()


def _bulk(url: str, events: list[dict[str, Any]], chunk: int) -> None:
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        ingest.ingest_many(s, OPERATOR, list(enumerate(events, start=1)), NOW, chunk=chunk)
        s.commit()
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 10_000),
    preset=st.sampled_from(["bol", "etsy", "swopify"]),
    start=st.sampled_from(STARTS),
    chunk=st.integers(1, 700),
    cuts=st.lists(
        st.tuples(st.integers(0, 12), st.integers(1, 14), st.integers(0, 30 * 24)),
        min_size=3,
        max_size=3,
    ),
)
def test_the_performance_api_equals_evaluate_for_every_seller_and_figure(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    seed: int,
    preset: str,
    start: date,
    chunk: int,
    cuts: list[tuple[int, int, int]],
) -> None:
    events = _log(seed, preset, start)
    here = tmp_path / uuid.uuid4().hex[:8]
    here.mkdir()
    one, bulk = (here / "one", here / "bulk")
    one.mkdir()
    bulk.mkdir()
    api_url, bulk_url = new_database(backend, request, one), new_database(backend, request, bulk)
    _one_at_a_time(api_url, events, here)
    _bulk(bulk_url, events, chunk)
    assert _items(api_url) == _items(bulk_url)
    _aggregates_are_the_items_counted_again(api_url)
    _aggregates_are_the_items_counted_again(bulk_url)

    engine = make_engine(bulk_url)
    with engine.connect() as c:
        stored = [r[0] for r in c.execute(text("SELECT payload FROM events"))]
    log_path = here / "events.jsonl"
    log_path.write_text(
        "\n".join(p if isinstance(p, str) else json.dumps(p) for p in stored) + "\n"
    )
    policy = load_policy(preset)
    for first_day, days, hours in cuts:
        frm = start + timedelta(days=first_day)
        as_of = datetime.combine(frm, datetime.min.time(), UTC) + timedelta(
            hours=hours, seconds=seed % 3600
        )
        window = Window(frm, frm + timedelta(days=days), as_of, policy.zone)
        ref = report(prepare(read_events(log_path), policy, window, metric_engine("duckdb", None)))
        with engine.connect() as c:
            live = seller_metrics(c, policy, list(ref["sellers"]), window)
        for seller, figures in ref["sellers"].items():
            for key, value in figures.items():
                assert _close(value, live[seller][key]), (
                    seller,
                    key,
                    value,
                    live[seller][key],
                    window,
                )
    engine.dispose()

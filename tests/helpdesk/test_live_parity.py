"""The live store's performance equals `evaluate` (DuckDB), the reference that recomputes
everything from the event log: for demo marketplaces (fixed logs, LOGS: three presets, both
DST changes) salted with trouble (events out of order, duplicates, late phone-hours changes and
closures, cancellations, replies exactly at the deadline, waivers), ingested one event at a time
through `POST /events` (once per log and backend, shared by the checks) and in chunks of drawn
sizes through the bulk ingest, on SQLite and PostgreSQL, for every seller and figure at drawn
as-of instants and windows. Both stores hold the same items. Hypothesis is derandomized: the
same few examples on every run.

`evaluate` reads the events the store accepted (its event log): a message sent before its
question reached the store is refused there, and evaluate does not see it either.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
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
DAYS = 5  # each log: two sellers over five days, 360-560 events with the salt
# The logs, fixed rather than drawn: posting the events one at a time is nearly all of this
# file's cost (about 12 ms of CPU a POST), so each log is ingested once per backend and every
# check below reads that store. Each is chosen for its trouble: bol's working hours across the
# spring DST change (Sunday 29 March), etsy's "no reply needed" waivers (bol and swopify have
# none) over the 25-hour day of the autumn change (25 October), swopify in a plain week; the
# seeds give each log a reply exactly at its deadline (test_the_log_is_salted_with_its_trouble).
LOGS = {
    "bol-spring-dst": (6, "bol", date(2026, 3, 26)),
    "etsy-autumn-dst": (977, "etsy", date(2026, 10, 22)),
    "swopify-plain": (4, "swopify", date(2026, 4, 20)),
}
# (backend, log): every log on SQLite; the DST and waiver logs on PostgreSQL too
CASES = [
    ("sqlite", "bol-spring-dst"),
    ("sqlite", "etsy-autumn-dst"),
    ("sqlite", "swopify-plain"),
    ("postgresql", "bol-spring-dst"),
    ("postgresql", "etsy-autumn-dst"),
]
ITEM_TABLES = ("question_items", "turn_items", "call_items", "review_items", "orders")
AGGREGATES = ("question_days", "turn_days", "call_days", "review_days", "order_days")


def _ev(id: str, type: str, at: datetime, **fields: Any) -> dict[str, Any]:
    return {"id": id, "type": type, "at": at.isoformat(), **fields}


def _log(seed: int, preset: str, start: date) -> list[dict[str, Any]]:
    """A small demo marketplace, shuffled and salted with trouble."""
    events: list[dict[str, Any]] = list(
        generate_events(sellers=2, days=DAYS, preset=preset, seed=seed, start=start)
    )
    rng = random.Random(seed)
    at = {e["id"]: datetime.fromisoformat(e["at"]) for e in events}
    sellers = [e for e in events if e["type"] == "seller_registered"]
    seller, country = sellers[0]["seller"], sellers[0]["country"]
    mid = datetime.combine(start + timedelta(days=DAYS // 2), datetime.min.time(), UTC)
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


def _stored_log(url: str, path: Path) -> Path:
    """The events the store accepted (its event log), as `evaluate` reads them."""
    engine = make_engine(url)
    with engine.connect() as c:
        stored = [r[0] for r in c.execute(text("SELECT payload FROM events"))]
    engine.dispose()
    path.write_text("\n".join(p if isinstance(p, str) else json.dumps(p) for p in stored) + "\n")
    return path


@dataclass(frozen=True)
class Ingested:
    """One log, fed to a store one event at a time through `POST /events`."""

    backend: str
    seed: int
    preset: str
    start: date
    events: list[dict[str, Any]]
    url: str  # the store fed one event at a time
    items: dict[str, list[tuple[Any, ...]]]  # its items and aggregates
    log: Path  # what it accepted


@pytest.fixture(scope="module", params=CASES, ids=["-".join(c) for c in CASES])
def ingested(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    backend, name = request.param
    seed, preset, start = LOGS[name]
    events = _log(seed, preset, start)
    here = tmp_path_factory.mktemp(f"parity-{backend}-{name}")
    url = new_database(backend, request, here)
    _one_at_a_time(url, events, here)
    log = _stored_log(url, here / "events.jsonl")
    return Ingested(backend, seed, preset, start, events, url, _items(url), log)


def _few(max_examples: int) -> Any:
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,  # the same examples on every run, on CI and off
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def test_the_log_is_salted_with_its_trouble(ingested: Ingested) -> None:
    """The logs keep the trouble the other checks are about, at their smaller size."""
    kinds = {e["id"].split("-")[1] for e in ingested.events if e["id"].startswith("x-")}
    assert {"hours", "closed", "open", "cancel", "due"} <= kinds, kinds
    if load_policy(ingested.preset).response.reply_waiver:
        assert "waive" in kinds, kinds
    ids = [e["id"] for e in ingested.events]
    assert len(ids) - len(set(ids)) >= 10  # the same events again


@example(chunk=1)  # every event its own chunk
@example(chunk=100_000)  # the whole log in one chunk
@_few(max_examples=1)
@given(chunk=st.integers(2, 700))
def test_bulk_ingest_in_chunks_leaves_the_store_one_at_a_time_leaves(
    ingested: Ingested, request: pytest.FixtureRequest, tmp_path: Path, chunk: int
) -> None:
    """The same items and aggregates, whatever the chunks; the aggregates of both stores are
    what counting every item again gives."""
    here = tmp_path / uuid.uuid4().hex[:8]
    here.mkdir()
    url = new_database(ingested.backend, request, here)
    _bulk(url, ingested.events, chunk)
    assert _items(url) == ingested.items
    _aggregates_are_the_items_counted_again(url)
    _aggregates_are_the_items_counted_again(ingested.url)


@_few(max_examples=1)
@given(
    cuts=st.lists(
        st.tuples(st.integers(0, DAYS + 2), st.integers(1, 14), st.integers(0, 30 * 24)),
        min_size=3,
        max_size=3,
    ),
)
def test_the_performance_api_equals_evaluate_for_every_seller_and_figure(
    ingested: Ingested, cuts: list[tuple[int, int, int]]
) -> None:
    """At as-of instants and windows drawn around the log (before it, across it, weeks after
    it), every seller's every figure from the live store is what `evaluate` computes."""
    policy = load_policy(ingested.preset)
    engine = make_engine(ingested.url)
    for first_day, days, hours in cuts:
        frm = ingested.start + timedelta(days=first_day)
        as_of = datetime.combine(frm, datetime.min.time(), UTC) + timedelta(
            hours=hours, seconds=ingested.seed % 3600
        )
        window = Window(frm, frm + timedelta(days=days), as_of, policy.zone)
        ref = report(
            prepare(read_events(ingested.log), policy, window, metric_engine("duckdb", None))
        )
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

"""Every generated event meets the event contract, refers to facts that exist, and is in order."""

from __future__ import annotations

import functools
from collections import Counter
from datetime import date, datetime
from typing import Any

import pytest

from servicenorm.demo import generate_events

from .contract import CONTRACT, problems

pytestmark = pytest.mark.xdist_group("demo-contract")  # one worker builds the module's run


@functools.cache
def _events(sellers: int, days: int, preset: str, seed: int) -> tuple[dict[str, Any], ...]:
    return tuple(generate_events(sellers=sellers, days=days, preset=preset, seed=seed))


@pytest.fixture
def bol() -> list[dict[str, Any]]:
    return list(_events(10, 21, "bol", 7))


@pytest.fixture
def everywhere() -> list[dict[str, Any]]:
    return list(_events(12, 14, "all", 3))


def at(e: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(e["at"])


def test_every_event_meets_the_contract(
    bol: list[dict[str, Any]], everywhere: list[dict[str, Any]]
) -> None:
    bad = [(e["id"], p) for e in bol + everywhere for p in problems(e)]
    assert bad == []


def test_every_event_type_appears_in_a_small_run(bol: list[dict[str, Any]]) -> None:
    counts = Counter(e["type"] for e in bol)
    assert set(counts) == set(CONTRACT), f"missing: {set(CONTRACT) - set(counts)}"


def test_ids_are_unique(bol: list[dict[str, Any]], everywhere: list[dict[str, Any]]) -> None:
    for events in (bol, everywhere):
        ids = [e["id"] for e in events]
        assert len(ids) == len(set(ids))


def test_events_are_written_in_time_order(bol: list[dict[str, Any]]) -> None:
    times = [at(e) for e in bol]
    assert times == sorted(times)


def test_events_refer_to_earlier_facts(bol: list[dict[str, Any]]) -> None:
    sellers: set[str] = set()
    conversations: dict[str, datetime] = {}
    orders: dict[str, dict[str, Any]] = {}
    delivered: set[str] = set()
    cases: set[str] = set()
    bills: dict[str, dict[str, Any]] = {}
    for e in bol:  # in time order, so everything referred to must have been seen already
        t = e["type"]
        if t == "seller_registered":
            sellers.add(e["seller"])
        elif t == "question_opened":
            assert e["seller"] in sellers
            if "order" in e:
                assert orders[e["order"]]["seller"] == e["seller"]
                assert orders[e["order"]]["buyer"] == e["buyer"]
            conversations[e["conversation"]] = at(e)
        elif t == "message_sent":
            assert e["conversation"] in conversations
        elif t == "order_placed":
            assert e["seller"] in sellers
            assert datetime.fromisoformat(e["ship_by"]) > at(e)
            orders[e["order"]] = e
        elif t in {
            "order_shipped",
            "carrier_scan",
            "order_delivered",
            "order_cancelled",
            "case_opened",
        }:
            assert e["order"] in orders, e
            if t == "order_delivered":
                delivered.add(e["order"])
            if t == "case_opened":
                cases.add(e["case"])
        elif t == "review_posted":
            assert e["order"] in delivered
        elif t == "case_closed":
            assert e["case"] in cases
        elif t == "bill_issued":
            bills[e["bill"]] = e
        elif t == "bill_paid":
            issued = bills[e["bill"]]
            assert (issued["seller"], issued["amount"], issued["currency"]) == (
                e["seller"],
                e["amount"],
                e["currency"],
            )
        elif "seller" in e:
            assert e["seller"] in sellers


def test_linked_sellers_name_each_other(bol: list[dict[str, Any]]) -> None:
    links = {
        e["seller"]: e["linked_sellers"]
        for e in bol
        if e["type"] == "seller_registered" and "linked_sellers" in e
    }
    assert links
    for seller, others in links.items():
        for other in others:
            assert seller in links[other]


def test_the_event_models_accept_every_event(
    bol: list[dict[str, Any]], everywhere: list[dict[str, Any]]
) -> None:
    from servicenorm.events import events_from_objects

    for run in (bol, everywhere):
        log = events_from_objects(run, keep_text=True)
        assert log.errors == []
        assert (log.valid, log.duplicates) == (len(run), 0)


def test_all_four_marketplaces_in_their_zones_and_currencies(
    everywhere: list[dict[str, Any]],
) -> None:
    market = {e["seller"]: e["marketplace"] for e in everywhere if e["type"] == "seller_registered"}
    assert set(market.values()) == {"bol", "etsy", "ebay", "swopify"}
    for e in everywhere:
        if "seller" in e and e["type"] != "seller_registered":
            offset = e["at"][-6:]
            assert (offset == "+00:00") == (market[e["seller"]] == "etsy"), e
        if e["type"] == "order_placed":
            expected = {"etsy": {"USD"}, "ebay": {"EUR", "PLN"}}.get(market[e["seller"]], {"EUR"})
            assert e["currency"] in expected


def test_offsets_follow_daylight_saving_time() -> None:
    events = list(generate_events(sellers=3, days=4, preset="bol", seed=1, start=date(2026, 3, 27)))
    change = datetime.fromisoformat("2026-03-29T03:00:00+02:00")
    seen = set()
    for e in events:
        t = at(e)
        if t >= datetime.fromisoformat("2026-03-27T00:00:00+01:00"):
            expected = "+02:00" if t >= change else "+01:00"
            assert e["at"].endswith(expected), e["at"]
            seen.add(expected)
    assert seen == {"+01:00", "+02:00"}

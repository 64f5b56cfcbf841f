"""One enforcement state machine: simulating a policy and applying it give the same actions.

The etsy quarter (tests/enforce/quarter.py), with slowpoke linked to the link-a/link-b
shops, so that the ladder's suspension reaches linked shops through `extend_to_linked`:
`simulate.replay` keeps the machine's state in memory, `apply_evaluation` keeps it in the
store; both must decide the same starts, effective dates and lifts for every seller."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from servicenorm.enforce import machine
from servicenorm.enforce.apply import apply_evaluation
from servicenorm.enforce.enforce_tables import Action, Statement
from servicenorm.enforce.evaluation import evaluate_policy
from servicenorm.enforce.ladder import LadderState
from servicenorm.enforce.simulate import points, replay
from servicenorm.events import events_from_objects
from servicenorm.metrics.findings import Finding
from servicenorm.policy import load_preset
from tests.enforce import factories as fx
from tests.enforce.quarter import END, START, market_events

ETSY = load_preset("etsy")
T0 = datetime(2026, 3, 2, 6, tzinfo=UTC)


def _linked_quarter() -> list[dict[str, Any]]:
    events = market_events("etsy", 2)
    for e in events:
        if e["type"] == "seller_registered" and e["seller"] == "slowpoke":
            e["linked_sellers"] = ["link-b"]
    return events


def _stored(s: Any) -> dict[str, list[tuple[str, str, str, str]]]:
    out: dict[str, list[tuple[str, str, str, str]]] = {}
    for a in s.scalars(select(Action)):
        stated = a.stated_at or a.start_at
        out.setdefault(a.seller_id, []).append(
            (a.kind, a.origin, a.start_at.date().isoformat(), stated.date().isoformat())
        )
        if a.lifted_at is not None:
            out[a.seller_id].append(("lifted", a.kind, a.lifted_at.date().isoformat(), ""))
    return {k: sorted(v) for k, v in out.items()}


@pytest.mark.xdist_group("quarter")
def test_simulating_the_etsy_quarter_and_applying_it_decide_the_same(tmp_path: Path) -> None:
    events = _linked_quarter()
    log = events_from_objects(events)
    as_of = datetime.combine(END, time(7), UTC)
    simulated = replay(log, ETSY, START, END, as_of)
    sim = {k: sorted(o.decisions) for k, o in simulated.items() if o.decisions}
    with fx.store(tmp_path) as sessions, sessions() as s:
        for p in points(ETSY, START, END, as_of):
            rep, found = evaluate_policy(log, ETSY, p.window_from, p.window_to, p.as_of)
            apply_evaluation(
                s, rep, found, ETSY, p.as_of, log=log, badges=p.badges, ladder=not p.badges
            )
        s.commit()
        applied = _stored(s)
        statements = {st.action_id for st in s.scalars(select(Statement))}
        restricting = [a for a in s.scalars(select(Action)) if a.state != "done"]
    assert sim == applied
    # the ladder's suspension of slowpoke reaches both shops it is linked to, in both
    for shop in ("link-a", "link-b"):
        assert ("suspend_trading", "linked", "2026-03-09", "2026-03-09") in sim[shop]
    assert ("suspend_trading", "ladder", "2026-03-09", "2026-03-09") in sim["slowpoke"]
    # the new shop's termination is stated on 2 March and takes effect after 30 days' notice
    assert ("suspend_permanently", "new_shop", "2026-04-01", "2026-03-02") in sim["newbie"]
    # every restriction has its statement of reasons
    assert restricting and {a.id for a in restricting} <= statements


def _finding(seller: str, value: float = 0.8) -> Finding:
    return Finding(seller, "holistic", value, 0.5, "at_least", ("2026-01-01", "2026-03-02"), "")


def test_a_ladder_termination_waits_its_notice_and_meeting_the_norms_cancels_it() -> None:
    ladder = ETSY.ladder
    assert ladder is not None
    last = len(ladder.steps) - 2  # suspend_trading: the next step is the termination
    st = machine.SellerState(LadderState(last, 0, T0 - timedelta(days=31), T0 - timedelta(days=90)))
    rnd = machine.ladder_round(ETSY, {"s": st}, {"s": [_finding("s")]}, ["s"], T0, {})
    (d,) = rnd.decisions
    assert isinstance(d, machine.Start) and d.kind == "suspend_permanently"
    assert (d.stated, d.start, d.exception) == (T0, T0 + timedelta(days=30), None)
    (r,) = rnd.states["s"].restrictions
    assert r.pending(T0 + timedelta(days=29)) and r.in_force(T0 + timedelta(days=30))
    # the seller meets the norms a week later: the termination is cancelled, never in force
    later = T0 + timedelta(days=7)
    again = machine.ladder_round(ETSY, rnd.states, {}, ["s"], later, {})
    assert [(x.kind, type(x).__name__) for x in again.decisions] == [
        ("suspend_permanently", "Lift")
    ]
    assert again.states["s"].restrictions == ()


def test_an_art_4_4_exception_for_repeated_infringement_cites_the_earlier_decisions() -> None:
    ladder = ETSY.ladder
    assert ladder is not None
    steps = [
        *ladder.steps[:-1],
        ladder.steps[-1].model_copy(update={"notice_exception": "repeated_infringement"}),
    ]
    policy = ETSY.model_copy(update={"ladder": ladder.model_copy(update={"steps": steps})})
    last = len(steps) - 2
    earlier = ("etsy:s:ladder:c0:s2:restrict_search", "etsy:s:ladder:c0:s5:suspend_trading")
    st = machine.SellerState(
        LadderState(last, 0, T0 - timedelta(days=31), T0 - timedelta(days=90)), decided=earlier
    )
    rnd = machine.ladder_round(policy, {"s": st}, {"s": [_finding("s")]}, ["s"], T0, {})
    (d,) = rnd.decisions
    assert isinstance(d, machine.Start) and d.start == T0
    assert d.exception == machine.NoticeException("repeated_infringement", earlier)
    # without earlier decisions there is no evidence: the notice period applies
    bare = machine.SellerState(st.ladder)
    (d2,) = machine.ladder_round(
        policy, {"s": bare}, {"s": [_finding("s")]}, ["s"], T0, {}
    ).decisions
    assert isinstance(d2, machine.Start) and d2.start == T0 + timedelta(days=30)

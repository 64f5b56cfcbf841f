"""Enforcement rounds on the live store (issue 10 item 5): the scheduled evaluation read from
the items and aggregates against the reference that replays the whole event log, and what a
round finds by its watermark, on the bol demo log.

    python -m bench rounds
    BENCH_ROUNDS_SELLERS=400 python -m bench rounds

Steps, on one SQLite store (the first part of the log ingested once through the one writer
and kept under /tmp, copied for each measurement):

1. `servicenorm demo generate --sellers N --days 38 --start 2026-10-26` (cached under /tmp),
   split into everything but the last 24 hours and that last day;
2. at the cut, the first round (the week's scheduled evaluation is due) twice, on two copies of
   the store: as the scheduler runs it now (`run_period`: live store, the state machine for the
   sellers concerned) and as it ran before (`run_period_from_log`: the event log through
   DuckDB, every seller);
3. a round one minute later (idle: nothing new); the last day ingested; a round at its end
   (what the watermark finds: sellers with new events, with deadlines passed);
4. the week's scheduled evaluation at the end of that day, both ways, on the loaded store (each
   in a savepoint rolled back): what a round costs when a period falls due after a day.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

SELLERS = int(os.environ.get("BENCH_ROUNDS_SELLERS", "100"))
DAYS, START = 38, "2026-10-26"
CACHE = Path(tempfile.gettempdir()) / f"servicenorm-bench-rounds-{SELLERS}"
RECEIVED = datetime(2026, 12, 10, tzinfo=UTC)  # when the first part reached the store


def _log() -> Path:
    out = CACHE / "log"
    if not (out / "events.jsonl").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "servicenorm.cli",
                "demo",
                "generate",
                "--sellers",
                str(SELLERS),
                "--days",
                str(DAYS),
                "--start",
                START,
                "--out",
                str(out),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return out / "events.jsonl"


def _split(path: Path) -> tuple[list[Any], list[Any], datetime, datetime]:
    """Everything but the last 24 hours, that last day, the cut and the last instant."""
    objs = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    last = max(datetime.fromisoformat(o["at"]) for o in objs)
    cut = last - timedelta(days=1)
    head = [o for o in objs if datetime.fromisoformat(o["at"]) < cut]
    tail = [o for o in objs if datetime.fromisoformat(o["at"]) >= cut]
    return head, tail, cut, last


def _store(head: list[Any]) -> Path:
    """The store with the first part ingested (made once, then reused)."""
    from servicenorm.bootstrap import bootstrap
    from servicenorm.demo.store_seed import OPERATOR
    from servicenorm.helpdesk.ingest import ingest_many
    from servicenorm.settings import Settings

    db = CACHE / "store" / "servicenorm.db"
    if db.exists():
        return db
    work = CACHE / "building"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    c = bootstrap(Settings(data_dir=work, database_url=f"sqlite:///{work}/servicenorm.db"))
    with c.sessions() as s:
        rep = ingest_many(s, OPERATOR, list(enumerate(head, start=1)), RECEIVED)
        assert not rep.errors, rep.errors[:3]
        s.commit()
    c.engine.dispose()
    shutil.rmtree(db.parent, ignore_errors=True)
    work.rename(db.parent)
    return db


def _copy(db: Path) -> tuple[Any, Any, Path]:
    from servicenorm.store.db import make_engine, make_session_factory

    work = Path(tempfile.mkdtemp(prefix="bench-rounds-"))
    shutil.copy(db, work / "servicenorm.db")
    engine = make_engine(f"sqlite:///{work}/servicenorm.db")
    return engine, make_session_factory(engine), work


def _load() -> float:
    return os.getloadavg()[0]


def run() -> str:
    from servicenorm.demo.store_seed import OPERATOR
    from servicenorm.enforce.live_period import LiveStore
    from servicenorm.enforce.schedule import (
        due_periods,
        run_due_evaluations,
        run_period,
        run_period_from_log,
    )
    from servicenorm.helpdesk import evidence_rows
    from servicenorm.helpdesk.ingest import ingest_many
    from servicenorm.helpdesk.tally import seller_metrics
    from servicenorm.policy.stored import policy_for
    from servicenorm.store.tables import Marketplace

    live = LiveStore(seller_metrics, evidence_rows.rows_of)  # as Container.live_store() joins them
    head, tail, cut, last = _split(_log())
    db = _store(head)
    rows: list[tuple[str, str]] = []

    def figure(took: float, extra: str = "") -> str:
        return f"{took:.2f} s{extra} (load {_load():.1f})"

    # 2. the first round at the cut, now and before
    engine, sessions, work = _copy(db)
    with sessions() as s:
        market, preset = s.execute(select_market(Marketplace)).one()
        policy = policy_for(preset)
        t0 = time.perf_counter()
        first = run_due_evaluations(s, cut, live=live)
        took = time.perf_counter() - t0
        n = len(first.changed[market].sellers)
        rows.append(
            (
                f"first round at the cut, the week's evaluation due: live store ({n} sellers)",
                figure(took, f"; {len(first.evaluated[market])} sellers to the state machine"),
            )
        )
        t0 = time.perf_counter()
        idle = run_due_evaluations(s, cut + timedelta(minutes=1), live=live)
        rows.append(
            (
                "idle round a minute later (nothing new)",
                figure(
                    time.perf_counter() - t0,
                    f"; {len(idle.changed[market].sellers)} sellers changed, "
                    f"{len(idle.evaluated[market])} evaluated",
                ),
            )
        )
        t0 = time.perf_counter()
        ingest_many(
            s,
            OPERATOR,
            list(enumerate(tail, start=len(head) + 1)),
            RECEIVED + timedelta(days=1),
        )
        s.commit()
        rows.append(
            (f"ingest of the last day, {len(tail):,} events", figure(time.perf_counter() - t0))
        )
        t0 = time.perf_counter()
        day = run_due_evaluations(s, last, live=live)
        ch = day.changed[market]
        rows.append(
            (
                "round after that day (no period due)",
                figure(
                    time.perf_counter() - t0,
                    f"; {len(ch.new_events)} sellers with new events, {len(ch.deadlines)} "
                    f"with a deadline passed, {len(day.evaluated[market])} evaluated",
                ),
            )
        )
        # 4. the week's evaluation at the end of that day, both ways, rolled back
        p = due_periods(policy, last)[0]
        for how in ("live store", "whole event log (before)"):
            nested = s.begin_nested()
            t0 = time.perf_counter()
            res = (
                run_period(s, market, policy, p, last, live=live)
                if how == "live store"
                else run_period_from_log(s, market, policy, p, last)
            )
            took = time.perf_counter() - t0
            nested.rollback()
            s.expire_all()
            rows.append(
                (
                    f"the week's evaluation at the end of that day, {how}",
                    figure(took, f"; {len(res.evaluated)} sellers to the state machine"),
                )
            )
    engine.dispose()
    shutil.rmtree(work, ignore_errors=True)

    # 2'. the same first round as it ran before: the whole log through DuckDB
    engine, sessions, work = _copy(db)
    with sessions() as s:
        p = due_periods(policy, cut)[0]
        t0 = time.perf_counter()
        ref = run_period_from_log(s, market, policy, p, cut)
        took = time.perf_counter() - t0
        s.commit()
        rows.insert(
            1,
            (
                "the same first round's evaluation from the whole event log (before)",
                figure(took, f"; {len(ref.evaluated)} sellers to the state machine"),
            ),
        )
    engine.dispose()
    shutil.rmtree(work, ignore_errors=True)

    lines = [
        "## Enforcement rounds on the live store (issue 10 item 5)\n",
        f"`python -m bench rounds` (BENCH_ROUNDS_SELLERS={SELLERS}): the bol demo log of "
        f"`servicenorm demo generate --sellers {SELLERS} --days 38 --start 2026-10-26` "
        f"({len(head) + len(tail):,} events) on SQLite, the first {len(head):,} ingested "
        "through the one writer before the rounds; each figure with the 1-minute load average "
        "of the 2-core machine right after it.\n",
        "| what | figure |",
        "|---|---:|",
        *(f"| {k} | {v} |" for k, v in rows),
    ]
    return "\n".join(lines) + "\n"


def select_market(marketplace: Any) -> Any:
    from sqlalchemy import select

    return select(marketplace.id, marketplace.preset).order_by(marketplace.id).limit(1)

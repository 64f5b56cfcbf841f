"""A marketplace's scoreboard: one metric run for the score window, one over the trend
weeks, the findings, and the per-seller norms; cached while the data and minute hold.

Pages read it for every seller of the marketplace at once (the operator's overview needs all
of them, a seller's page one), so a page view costs a dictionary lookup while nothing new
happened. A new event (an answer posted from the queue, an ingest) changes the version and
the next view recomputes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.orm import Session

from servicenorm.clock import from_us
from servicenorm.engines import make_engine
from servicenorm.events import EventLog
from servicenorm.metrics import REGISTRY, Run, Window, current_window, prepare, report
from servicenorm.metrics.findings import Finding, findings
from servicenorm.norms import norms_for
from servicenorm.policy import Policy
from servicenorm.policy.stored import policy_for
from servicenorm.store.tables import Marketplace
from servicenorm.web.pages.eventsource import Version, marketplace_log, version
from servicenorm.web.pages.norms import NormRow, TrendPoint, seller_norms
from servicenorm.web.pages.trend import trends

TREND_WEEKS = 8
FRESH = timedelta(seconds=60)  # statuses move from pending to late as time passes


def score_window(policy: Policy, as_of: datetime) -> Window:
    """The current window (`metrics.window.current_window`): what `evaluate` and `run-demo`
    take by default too, so the terminal and the pages show the same figures."""
    return current_window(policy.window.days, policy.zone, as_of)


def trend_window(policy: Policy, as_of: datetime, weeks: int = TREND_WEEKS) -> Window:
    today = as_of.astimezone(ZoneInfo(policy.zone)).date()
    monday = today - timedelta(days=today.weekday())
    return Window(
        monday - timedelta(weeks=weeks - 1), today + timedelta(days=1), as_of, policy.zone
    )


def iso_week(day: date) -> str:
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


@dataclass
class Board:
    market: Marketplace
    policy: Policy
    as_of: datetime
    version: Version
    score: Run
    trend: Run
    report: dict[str, Any]
    findings: list[Finding]
    trends: dict[str, dict[str, tuple[TrendPoint, ...]]]
    log: EventLog
    lock: threading.Lock = field(default_factory=threading.Lock)
    # evidence rows already read from this board (it never changes): the performance page's
    # plan and the drill-down ask for the same seller's items (a DuckDB query of 100-200 ms)
    _items: dict[tuple[str, str, str | None], list[dict[str, Any]]] = field(
        default_factory=dict, repr=False
    )

    @property
    def sellers(self) -> list[str]:
        return list(self.report["sellers"])

    @property
    def current_week(self) -> str:
        return iso_week(self.as_of.astimezone(ZoneInfo(self.policy.zone)).date())

    def norms(self, seller: str) -> list[NormRow]:
        entry = self.report["sellers"].get(seller)
        if entry is None:
            return []
        t = self.trends.get(seller, {})
        weekly = next((t.get(n.slug, ()) for n in norms_for(self.policy) if n.weekly), ())
        pending = weekly[-1].pending if weekly else 0
        return seller_norms(
            self.policy, entry, current_week=self.current_week, week_pending=pending, trends=t
        )

    def items(self, metric: str, seller: str, week: str | None = None) -> list[dict[str, Any]]:
        """The evidence rows of a metric for a seller, oldest first, each with its deadline from
        the clock where the metric has one; `week` (YYYY-Www) takes them from the trend run.
        Read once per board; callers only read the rows."""
        key = (metric, seller, week)
        known = self._items.get(key)
        if known is not None:
            return known
        rows = self._read_items(metric, seller, week)
        self._items[key] = rows
        return rows

    def _read_items(self, metric: str, seller: str, week: str | None) -> list[dict[str, Any]]:
        run = self.trend if week else self.score
        with self.lock:
            rows = run.items(REGISTRY[metric], seller)
        if week:
            span = next(((ws, we) for w, ws, we in run.frame.window.iso_weeks() if w == week), None)
            if span is None:
                return []
            at = "placed" if metric == "shipping" else "received"
            rows = [r for r in rows if span[0] <= int(r[at]) < span[1]]
        rows.sort(key=lambda r: (r.get("received") or r.get("placed") or 0, str(r["item"])))
        if rows and "resp_cal" in rows[0]:  # a response metric: deadlines from its calendar
            cal = run.frame.calendars[int(rows[0]["resp_cal"])]
            due = cal.deadline_us(
                np.array([int(r["received"]) for r in rows], dtype=np.int64), run.params()["allow"]
            )
            for r, d in zip(rows, due, strict=True):
                r["deadline"] = int(d)
        zone = ZoneInfo(self.policy.zone)
        for r in rows:
            for k in ("received", "replied", "deadline", "placed", "ship_by", "shipped", "scanned"):
                if r.get(k) is not None:
                    r[k + "_at"] = from_us(int(r[k]), zone)
        return rows


def compute(
    s: Session, market: Marketplace, as_of: datetime, ver: Version, log: EventLog | None = None
) -> Board:
    """A new board; `log` is the marketplace's event log when it is known unchanged."""
    policy = policy_for(market.preset)
    log = log if log is not None else marketplace_log(s, market)
    score = prepare(log, policy, score_window(policy, as_of), make_engine("duckdb"))
    rep = report(score)
    trend = prepare(log, policy, trend_window(policy, as_of), make_engine("duckdb"))
    return Board(
        market,
        policy,
        as_of,
        ver,
        score,
        trend,
        rep,
        findings(rep, policy),
        trends(trend, norms_for(policy)),
        log,
    )


_boards: dict[str, Board] = {}
_locks: dict[str, threading.Lock] = {}
_registry_lock = threading.Lock()


def board_for(s: Session, market: Marketplace, now: datetime) -> Board:
    """The cached board of a marketplace when nothing changed within `FRESH`, else a new one."""
    with _registry_lock:
        lock = _locks.setdefault(market.id, threading.Lock())
    with lock:
        current = _boards.get(market.id)
        ver = version(s, market)
        same = (
            current is not None
            and current.version == ver
            and current.market.preset == market.preset
        )
        if current is not None and same and abs(now - current.as_of) < FRESH:
            return current
        # only time passed: the same events, seen at a later as-of. The replaced board is not
        # closed: a request may still be reading it; its DuckDB connection goes with it
        fresh = compute(s, market, now, ver, current.log if current is not None and same else None)
        _boards[market.id] = fresh
    return fresh


def forget() -> None:
    """Drop every cached board (tests, a policy switch)."""
    with _registry_lock:
        _boards.clear()

"""A marketplace's scoreboard as of now, read from the live store (issue 10): the figures of
the score window (`helpdesk.tally`: aggregates of what is final, plus the open items judged
at as-of), one trend point per ISO week from the same counts, and the evidence rows of the
drill-down (`helpdesk.evidence_rows`). Nothing re-reads the event log.

A board is made per request and reads only the sellers it is asked about: a seller's page
reads that seller's aggregate rows per day and open items counted per day, once, and folds
them into the window's figures, the trend's weeks and the dated plan; the operator's overview
one aggregate query per kind for every seller (no trend: `trends=False`). A post is seen by
the next view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.clock import from_us
from servicenorm.helpdesk import evidence_rows
from servicenorm.helpdesk.tally import (
    Counters,
    Span,
    category_rates,
    daily_counts,
    figures,
    seller_metrics,
    week_counters,
    weekly_counts,
    window_counters,
)
from servicenorm.metrics import Window, current_window
from servicenorm.norms import Norm, norms_for
from servicenorm.policy import Policy
from servicenorm.policy.stored import policy_for
from servicenorm.store.tables import Marketplace, Seller
from servicenorm.web.pages.norms import NormRow, TrendPoint, seller_norms

TREND_WEEKS = 8


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


def _point(norm: Norm, week: str, c: Counters | None, policy: Policy) -> TrendPoint:
    """A norm's point for one week, from that week's counters (what the week's items say)."""
    if c is None:
        return TrendPoint(week, Fraction(0) if norm.kind == "count" else None)
    if norm.kind == "count":  # late first responses of the week
        return TrendPoint(
            week, Fraction(c.fr["late"]), c.fr["on_time"], c.fr["late"], c.fr["pending"]
        )
    if norm.kind == "average":
        n, total = c.reviews
        if not n:
            return TrendPoint(week, None)
        # the weekly average as the report writes averages: two decimals
        return TrendPoint(week, Fraction(round(Fraction(total, n) * 100), 100), n)
    got = norm.figure(figures(policy, c, {}), week)
    if got is None:
        return TrendPoint(week, None)
    return TrendPoint(week, got.value, got.good, got.bad, got.pending)


@dataclass
class Board:
    market: Marketplace
    policy: Policy
    as_of: datetime
    session: Session
    with_trends: bool = True  # False: figures and statuses only (the overview)
    window: Window = field(init=False)
    trend_window: Window = field(init=False)
    _entries: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    _trends: dict[str, dict[str, tuple[TrendPoint, ...]]] = field(default_factory=dict, repr=False)
    _sellers: list[str] | None = field(default=None, repr=False)
    _countries: dict[str, str] = field(default_factory=dict, repr=False)
    _items: dict[tuple[str, str, str | None], list[dict[str, Any]]] = field(
        default_factory=dict, repr=False
    )
    _days: dict[str, dict[int, Counters]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.window = score_window(self.policy, self.as_of)
        self.trend_window = trend_window(self.policy, self.as_of)

    @property
    def sellers(self) -> list[str]:
        """The marketplace's sellers registered by as-of (as `evaluate` lists them)."""
        if self._sellers is None:
            found = self.session.execute(
                select(Seller.id, Seller.country)
                .where(
                    Seller.marketplace_id == self.market.id,
                    Seller.registered_at <= self.as_of,
                )
                .order_by(Seller.id)
            ).all()
            self._countries.update({sid: country for sid, country in found})
            self._sellers = [sid for sid, _ in found]
        return self._sellers

    def know(self, sellers: list[tuple[str, str]]) -> None:
        """Take `sellers` (id, country; ordered by id) as the marketplace's sellers registered
        by as-of: the overview reads them with the columns it shows, once."""
        self._countries.update(sellers)
        self._sellers = [sid for sid, _ in sellers]

    def has(self, seller: str) -> bool:
        """Whether `seller` is one of the marketplace's sellers registered by as-of: a seller's
        page asks for that seller only (not the 47,000 ids of a bol-sized marketplace)."""
        if self._sellers is not None or seller in self._countries:
            return seller in self._countries
        country = self.session.execute(
            select(Seller.country).where(
                Seller.id == seller,
                Seller.marketplace_id == self.market.id,
                Seller.registered_at <= self.as_of,
            )
        ).scalar_one_or_none()
        if country is None:
            return False
        self._countries[seller] = country
        return True

    @property
    def current_week(self) -> str:
        return iso_week(self.as_of.astimezone(ZoneInfo(self.policy.zone)).date())

    @property
    def report(self) -> dict[str, Any]:
        """Every seller's figures (the per-seller objects of the `evaluate` contract)."""
        self.load(self.sellers)
        return {"sellers": {s: self._entries[s] for s in self.sellers}}

    def entry(self, seller: str) -> dict[str, Any] | None:
        if not self.has(seller):
            return None
        self.load([seller])
        return self._entries[seller]

    def trends(self, seller: str) -> dict[str, tuple[TrendPoint, ...]]:
        if not self.has(seller):
            return {}
        self.load([seller])
        return self._trends.get(seller, {})

    def load(self, sellers: list[str]) -> None:
        """The figures and trends of `sellers`, read together (the overview: all of them)."""
        todo = [s for s in sellers if s not in self._entries]
        if not todo:
            return
        conn = self.session.connection()
        if not self.with_trends:
            self._entries.update(seller_metrics(conn, self.policy, todo, self.window))
            return
        weeks = [w[0] for w in self.trend_window.iso_weeks()]
        if len(todo) == 1:  # a seller's page: one read per kind, by day, for all it shows
            seller = todo[0]
            w, t = self.window, self.trend_window
            both = Window(min(w.start, t.start), max(w.end, t.end), self.as_of, self.policy.zone)
            days = daily_counts(conn, self.policy, todo, both)[seller]
            self._days[seller] = days
            rates = category_rates(conn, Span(w), todo)
            self._entries[seller] = figures(self.policy, window_counters(days, w), rates)
            counted = {seller: week_counters(days, t)}
        else:
            self._entries.update(seller_metrics(conn, self.policy, todo, self.window))
            counted = weekly_counts(conn, self.policy, todo, self.trend_window)
        for seller in todo:
            mine = counted.get(seller, {})
            self._trends[seller] = {
                n.slug: tuple(_point(n, w, mine.get(w), self.policy) for w in weeks)
                for n in norms_for(self.policy)
                if n.evidence.at is not None
            }

    def day_counts(self, metric: str, seller: str) -> dict[date, tuple[int, int]] | None:
        """Per local day of the score window, the (on time, late) items of a response metric
        (the dated plan's input), from the counts the page read; None when not read so."""
        if metric not in ("first_response", "message_response") or not self.has(seller):
            return None
        self.load([seller])
        days = self._days.get(seller)
        if days is None:
            return None
        sp = Span(self.window)
        out: dict[date, tuple[int, int]] = {}
        for day in range(sp.first, sp.end):
            c = days.get(day)
            if c is not None:
                n = c.fr if metric == "first_response" else c.mr
                if n["on_time"] or n["late"]:
                    out[date.fromordinal(day)] = (n["on_time"], n["late"])
        return out

    def norms(self, seller: str) -> list[NormRow]:
        entry = self.entry(seller)
        if entry is None:
            return []
        t = self.trends(seller)
        weekly = next((t.get(n.slug, ()) for n in norms_for(self.policy) if n.weekly), ())
        pending = weekly[-1].pending if weekly else 0
        return seller_norms(
            self.policy, entry, current_week=self.current_week, week_pending=pending, trends=t
        )

    def items(self, metric: str, seller: str, week: str | None = None) -> list[dict[str, Any]]:
        """The evidence rows of a metric for a seller, oldest first, each with its deadline
        where the metric has one; `week` (YYYY-Www) takes that week's rows instead of the
        score window's. Read once per board; callers only read the rows."""
        key = (metric, seller, week)
        known = self._items.get(key)
        if known is None:
            known = self._items[key] = self._read_items(metric, seller, week)
        return known

    def _read_items(self, metric: str, seller: str, week: str | None) -> list[dict[str, Any]]:
        if not self.has(seller):
            return []
        window = self.window
        if week:
            span = next(
                (
                    (ws, we)
                    for w, ws, we in (*self.trend_window.iso_weeks(), *self.window.iso_weeks())
                    if w == week
                ),
                None,
            )
            if span is None:
                return []
            zone = ZoneInfo(self.policy.zone)
            monday = from_us(span[0], zone).date()
            window = Window(monday, monday + timedelta(days=7), self.as_of, self.policy.zone)
        rows = evidence_rows.rows(
            self.session.connection(),
            self.policy,
            seller,
            self._countries[seller],
            metric,
            window,
        )
        rows.sort(key=lambda r: (r.get("received") or r.get("placed") or 0, str(r["item"])))
        zone = ZoneInfo(self.policy.zone)
        for r in rows:
            for k in ("received", "replied", "deadline", "placed", "ship_by", "shipped", "scanned"):
                if r.get(k) is not None:
                    r[k + "_at"] = from_us(int(r[k]), zone)
        return rows


def board_for(s: Session, market: Marketplace, now: datetime, *, trends: bool = True) -> Board:
    """The marketplace's board as of `now` (made per request: reading it is cheap). Without
    `trends` its rows carry no trend points and no pending count of the current week (the
    overview shows statuses and figures only)."""
    return Board(market, policy_for(market.preset), now, s, trends)


def forget() -> None:
    """Nothing is cached any more (kept for callers that dropped the old boards' cache)."""

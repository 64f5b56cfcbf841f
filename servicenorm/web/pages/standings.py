"""Each seller's standing as the operator's overview shows it, kept in the store (issue 10: the
live store costs what changed; STYLE 2 and 15).

A view reads every seller's stored standing in one query and judges again only the sellers
whose standing may have changed since it was kept:

* an event received for the seller since the last check (`round_marks.changed`, by index; a
  minute's slack covers a request that stamped its events before the check and committed
  them after it);
* one of its open items whose deadline passed since the last check (the same finder);
* `valid_until` reached: the local midnight at which the seller's oldest day holding data
  leaves the window (or the ISO week with late questions turns);
* no standing yet, or one kept under another policy.

The question-rate norm is judged at each view from the kept counts (the seller's orders per
category and questions) and the marketplace's current questions per order: its personal norm
moves with every seller's orders, not only with the seller's own events.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import NamedTuple, cast
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, delete, insert, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from servicenorm.clock import from_us, to_us
from servicenorm.clock.kernel import local_midnight
from servicenorm.enforce.round_marks import changed, newest_received, unseen_after
from servicenorm.helpdesk.tally import (
    Counters,
    Span,
    category_rates,
    figures,
    oldest_days,
    personal_norm,
    seller_counters,
)
from servicenorm.metrics import Window
from servicenorm.norms import NORMS, Status
from servicenorm.norms.bulk import Judge
from servicenorm.policy import Policy
from servicenorm.store.keylists import parts
from servicenorm.store.standings import SellerStanding, StandingMark

QUESTION_RATE = "question_rate"
# bump when what a standing holds or how it is judged changes: kept standings are judged again
VERSION = "1"


# a kept standing that holds: (statuses, questions, orders per category, as-of in microseconds)
Kept = tuple[str, int, str, int]


class Standing(NamedTuple):
    """A seller's statuses (the question rate's last) and its worst status among those in the
    score; sellers with the same statuses share one."""

    statuses: tuple[tuple[str, Status], ...]
    worst: Status


def policy_digest(policy: Policy) -> str:
    return hashlib.sha256((VERSION + policy.model_dump_json()).encode()).hexdigest()[:40]


def valid_until(policy: Policy, window: Window, oldest: int | None, week_late: int) -> datetime:
    """When a standing judged in `window` stops holding with no new event: the local midnight
    at which the seller's oldest day holding data (`oldest`, an ordinal) leaves the window, or
    the next Monday's when its current week has late questions (the weekly norm shows the
    week). A seller with nothing in the window: a window's length on (any event judges it
    again before)."""
    zone = ZoneInfo(policy.zone)
    days = policy.window.days
    leaves = (window.end + timedelta(days=days)) if oldest is None else (
        date.fromordinal(oldest + days)
    )  # fmt: skip
    if week_late:
        today = window.end - timedelta(days=1)
        leaves = min(leaves, today + timedelta(days=7 - today.weekday()))
    return from_us(local_midnight(zone, leaves))


def _orders_text(c: Counters) -> str:
    return ";".join(f"{cat}={n}" for cat, (n, _q) in c.orders.items())


def _orders(text: str) -> list[tuple[str, int]]:
    if not text:
        return []
    out = []
    for part in text.split(";"):
        cat, _, n = part.rpartition("=")
        out.append((cat, int(n)))
    return out


_rates_seen: dict[tuple[str, tuple[tuple[str, float], ...]], dict[tuple[int, str], Status]] = {}
_rates_lock = threading.Lock()


def _question_rates(digest: str, rates: dict[str, float]) -> dict[tuple[int, str], Status]:
    """The question-rate statuses already judged under these rates, by (questions, orders per
    category): a pure function of them, shared by the views of a process while no order or
    question moves the marketplace's rates."""
    key = (digest, tuple(sorted(rates.items())))
    with _rates_lock:
        got = _rates_seen.get(key)
        if got is None:
            if len(_rates_seen) >= 8:
                _rates_seen.clear()
            got = _rates_seen[key] = {}
        return got


class Standings:
    """The standings of one marketplace's sellers as of `now` (made per view)."""

    def __init__(
        self, s: Session, market: str, policy: Policy, window: Window, week: str, now: datetime
    ) -> None:
        self.s, self.market, self.policy, self.window, self.now = s, market, policy, window, now
        self.judge = Judge(policy, week)
        self.digest = policy_digest(policy)
        self.judged: list[str] = []  # the sellers judged again by this view
        self._qr: dict[tuple[int, int, float | None], Status] = {}
        self._qr_text: dict[tuple[int, str], Status] = {}
        self._versions: dict[str, int] = {}
        self._rates_key: tuple[tuple[str, float], ...] = ()

    def of(self, sellers: Sequence[str]) -> dict[str, Standing]:
        """Every seller's standing: the kept ones that still hold, the others judged again and
        kept (a view of an instant before the last check keeps nothing)."""
        if not sellers:
            return {}
        s = self.s
        mark = s.get(StandingMark, self.market)
        past = mark is not None and self.now < mark.as_of
        # the kept standings that still hold (this policy, valid after now)
        kept = {} if past else self._kept()
        wanted = set(sellers)
        stale = wanted - kept.keys()
        newest = newest_received(s)
        if mark is not None and not past:
            new, due = changed(
                s,
                self.market,
                unseen_after(mark.received, mark.as_of),
                mark.as_of,
                self.now,
                events=newest is not None,
            )
            stale |= (new | due) & wanted
        elif mark is None:
            stale = wanted
        fresh = self._judge_again(sorted(stale))
        self.judged = sorted(stale)
        if not past:
            self._keep(fresh, newest, mark)
        now_us = to_us(self.now)
        for sid, (_until, statuses, questions, orders) in fresh.items():
            kept[sid] = (statuses, questions, orders, now_us)
        self._versions = {sid: k[3] for sid, k in kept.items()}
        return self._read(sellers, kept)

    def version(self, seller: str) -> tuple[object, ...] | None:
        """What a seller's figures as of now are a function of, while its standing holds:
        the policy, the instant it was judged at, the window and ISO week shown and the
        marketplace's questions per order (the question rate's norm); None for a seller not
        read."""
        at = self._versions.get(seller)
        if at is None:
            return None
        return (self.digest, at, self.window.start, self.judge.week, self._rates_key)

    def _kept(self) -> dict[str, Kept]:
        t = SellerStanding
        as_of = type_coerce(t.as_of, BigInteger)
        return {
            sid: (st, q, o, int(at))
            for sid, st, q, o, at in self.s.execute(
                select(t.seller_id, t.statuses, t.questions, t.orders, as_of).where(
                    t.marketplace_id == self.market,
                    t.policy == self.digest,
                    t.valid_until > self.now,
                )
            )
        }

    def _judge_again(self, sellers: list[str]) -> dict[str, tuple[int, str, int, str]]:
        if not sellers:
            return {}
        conn = self.s.connection()
        counted, rates = seller_counters(conn, self.policy, sellers, self.window)
        oldest = oldest_days(conn, sellers, self.window)
        week = self.judge.week
        out = {}
        for sid, c in counted.items():
            entry = figures(self.policy, c, rates)
            late = int((entry.get("weekly_late") or {}).get(week, 0))
            until = valid_until(self.policy, self.window, oldest.get(sid), late)
            statuses = self.judge.statuses(entry, skip=QUESTION_RATE)
            text = ",".join(f"{slug}={st}" for slug, st in statuses)
            questions = sum(q for _n, q in c.orders.values())
            out[sid] = (to_us(until), text, questions, _orders_text(c))
        return out

    def _keep(
        self,
        fresh: dict[str, tuple[int, str, int, str]],
        newest: datetime | None,
        mark: StandingMark | None,
    ) -> None:
        s, t = self.s, SellerStanding
        ids = sorted(fresh)
        try:
            with s.begin_nested():
                for part in parts(ids):
                    s.execute(
                        delete(t).where(t.marketplace_id == self.market, t.seller_id.in_(part))
                    )
                    s.execute(
                        insert(t),
                        [
                            {
                                "marketplace_id": self.market,
                                "seller_id": sid,
                                "policy": self.digest,
                                "as_of": self.now,
                                "valid_until": from_us(fresh[sid][0]),
                                "statuses": fresh[sid][1],
                                "questions": fresh[sid][2],
                                "orders": fresh[sid][3],
                            }
                            for sid in part
                        ],
                    )
                if mark is None:
                    s.add(StandingMark(marketplace_id=self.market, as_of=self.now, received=newest))
                else:
                    mark.as_of = max(mark.as_of, self.now)
                    if newest is not None and (mark.received is None or newest > mark.received):
                        mark.received = newest
                s.flush()
        except IntegrityError:
            pass  # a concurrent view kept them first: what it kept holds as well

    def _read(self, sellers: Sequence[str], kept: dict[str, Kept]) -> dict[str, Standing]:
        """Each seller's statuses: the kept ones, and the question rate judged now."""
        judge = self.judge
        qr = NORMS[QUESTION_RATE] if QUESTION_RATE in judge.in_score else None
        rates = (
            category_rates(self.s.connection(), Span(self.window), sellers[:1])
            if qr is not None
            else {}
        )
        out: dict[str, Standing] = {}
        if qr is not None:
            # judged again only when the marketplace's rates move (an order, a question)
            self._qr_text = _question_rates(self.digest, rates)
            self._rates_key = tuple(sorted(rates.items()))
        known = self._qr_text
        # most sellers share a few combinations of statuses: each is read once
        parsed: dict[tuple[str, Status | None], Standing] = {}
        for sid in sellers:
            k = kept.get(sid)
            if k is None:
                continue
            rate = None
            if qr is not None:
                rate = known.get((k[1], k[2])) or self._question_rate(k[1], k[2], rates)
            got = parsed.get((k[0], rate))
            if got is None:
                pairs = [
                    (slug, cast(Status, st))
                    for slug, _, st in (x.partition("=") for x in k[0].split(",") if x)
                ]
                if rate is not None:
                    pairs.append((QUESTION_RATE, rate))
                got = parsed[(k[0], rate)] = Standing(tuple(pairs), judge.overall(pairs))
            out[sid] = got
        return out

    def _question_rate(self, questions: int, orders_text: str, rates: dict[str, float]) -> Status:
        seen = self._qr_text.get((questions, orders_text))
        if seen is not None:  # many sellers have the same few orders
            return seen
        got = _orders(orders_text)
        orders = sum(n for _, n in got)
        norm = personal_norm(got, rates)
        # without questions the figure is 0 whatever the orders (a ratio has no risk)
        key = (questions, orders if questions else min(orders, 1), norm)
        known = self._qr.get(key)
        if known is not None:
            self._qr_text[(questions, orders_text)] = known
            return known
        entry = {
            QUESTION_RATE: {
                "orders": orders,
                "questions": questions,
                "rate": None,
                "norm": norm,
            }
        }
        st = self.judge.status(NORMS[QUESTION_RATE], entry) or "no_data"
        self._qr[key] = self._qr_text[(questions, orders_text)] = st
        return st

"""Customer questions and the messages that follow them.

Each question may get, in its own time: an automatic acknowledgement (system), a note from the
platform agent when it was forwarded, the vacation auto-reply, a canned instant reply, the
seller's (or staff's) first answer, buyer nudges and follow-up turns with their answers, and an
agent stepping in when nobody answered. Every kind of message is drawn for all questions at
once; a reply's time is working time on the seller's own calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from servicenorm.demo.blocks import Block, Body, Bool, Label, Ref, TextField
from servicenorm.demo.orders import ORDERS_PER_DAY, Orders, language_of, rest_days
from servicenorm.demo.phrases import LANGS, phrases
from servicenorm.demo.roster import CATEGORY_SHARES, Sellers
from servicenorm.demo.timing import after_working, lognormal_s, uniform_us
from servicenorm.demo.traffic import Grid, day_weights, draw
from servicenorm.demo.zoneclock import DAY_US

I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

QUESTIONS_PER_ORDER = 5.0  # the benchmark shape: about a quarter questions, half messages
AUTHORS = ("buyer", "seller", "staff", "agent", "system")
BUYER, SELLER, STAFF, AGENT, SYSTEM = range(5)
ORIGINS = ("buyer", "platform_forward")
MAX_REPLY_S = 5 * 9 * 3600  # five working days


@dataclass
class Messages:
    conv: list[I64] = field(default_factory=list)
    at: list[I64] = field(default_factory=list)
    author: list[I32] = field(default_factory=list)
    automated: list[I8] = field(default_factory=list)  # 0: key absent, 1: true, 2: false
    body: list[Body] = field(default_factory=list)

    def add(
        self, rows: I64, at: I64, author: I32 | int, body: Body, automated: I8 | int = 0
    ) -> None:
        n = rows.shape[0]
        self.conv.append(rows)
        self.at.append(at)
        self.author.append(np.broadcast_to(np.asarray(author, dtype=np.int32), (n,)).copy())
        self.automated.append(np.broadcast_to(np.asarray(automated, dtype=np.int8), (n,)).copy())
        self.body.append(body)


def question_rates(sellers: Sellers, grid: Grid) -> F64:
    cats = sellers.market.categories
    qpo = np.array([c.qpo for c in cats])
    weights = np.array([c.weight for c in cats])
    mean_qpo = float((qpo * weights).sum() / weights.sum())
    shares = np.diff(CATEGORY_SHARES, prepend=0.0)
    mix = (qpo[sellers.categories] * shares).sum(axis=1) / mean_qpo  # personal dynamic norm (R3.5)
    base = ORDERS_PER_DAY * QUESTIONS_PER_ORDER * sellers.size * mix * sellers.param("q_factor")
    days = np.arange(grid.days)
    surge = sellers.param("surge")
    lam = np.empty((len(sellers), grid.days))
    weights_by_country = {
        c: day_weights("question", grid, c)[: grid.days] for c in set(sellers.country)
    }
    for i, c in enumerate(sellers.country):
        boost = np.where(days >= sellers.surge_day[i], 1.0 + (surge[i] - 1.0) * 0.5, 1.0)
        lam[i] = base[i] * weights_by_country[c] * boost * (days >= sellers.first_day[i])
    return lam


def _pick_orders(orders: Orders, seller: I64, t0: I64, rng: np.random.Generator) -> I64:
    """For each question, an order of the same seller from the 45 days before it, or -1."""
    if len(orders) == 0:
        return np.full(seller.shape[0], -1, dtype=np.int64)
    base = int(min(orders.at.min(), t0.min())) - DAY_US * 60
    key = orders.seller * (1 << 40) + (orders.at - base) // 1_000_000
    by_key = np.argsort(key, kind="stable")
    keys = key[by_key]
    q_key = seller * (1 << 40) + (t0 - base) // 1_000_000
    hi = np.searchsorted(keys, q_key, side="left")
    lo = np.searchsorted(keys, q_key - 45 * 86_400, side="left")
    lo = np.maximum(lo, np.searchsorted(keys, seller * (1 << 40), side="left"))
    j = lo + (rng.random(seller.shape[0]) * (hi - lo)).astype(np.int64)
    return np.where(hi > lo, by_key[np.minimum(j, keys.shape[0] - 1)], -1)


class _Writer:
    """Draws bodies in the conversation's language."""

    def __init__(self, lang: I8, order_no: I64, buyer: I64, rng: np.random.Generator) -> None:
        self.lang, self.order_no, self.buyer, self.rng = lang, order_no, buyer, rng
        self.ph = phrases()

    def core(self, rows: I64, pool: str, lang: I8 | None = None) -> Body:
        lang = self.lang[rows] if lang is None else lang
        has_order = self.order_no[rows] >= 0
        pre, post, slot = self.ph.pick(pool, lang, self.rng)
        if f"{pool}_order" in {k for _, k in self.ph.pools}:
            o_pre, o_post, o_slot = self.ph.pick(f"{pool}_order", lang, self.rng)
            pre, post, slot = (
                np.where(has_order, a, b) for a, b in ((o_pre, pre), (o_post, post), (o_slot, slot))
            )
        return Body.core(pre, post, np.where(slot, self.order_no[rows], -1))

    def seller_reply(self, rows: I64, contact: F64, wrong_language: F64) -> Body:
        n = rows.shape[0]
        lang = self.lang[rows].copy()
        wrong = self.rng.random(n) < wrong_language
        en = LANGS.index("en")
        lang[wrong] = np.where(
            lang[wrong] == en, LANGS.index("nl"), en
        )  # not the market's language
        body = self.core(rows, "reply", lang)
        off = np.flatnonzero(self.rng.random(n) < contact)  # off-platform contact attempt (R5.1)
        if off.size:
            c_pre, c_post, _ = self.ph.pick("contact_seller", lang[off], self.rng)
            body.c_pre[off], body.c_post[off], body.order[off] = c_pre, c_post, -1
        g_pre, g_post, g_slot = self.ph.pick("greet", lang, self.rng)
        name = np.zeros(n, dtype=np.int32)
        for code, lang_name in enumerate(LANGS):
            sel = np.flatnonzero(lang == code)
            names = self.ph.pool(lang_name, "names").pre
            name[sel] = names[self.buyer[rows[sel]] % names.size]
        closing, _, _ = self.ph.pick("closing", lang, self.rng)
        return Body(
            g_pre,
            np.where(g_slot, name, 0).astype(np.int32),
            g_post,
            body.c_pre,
            body.order,
            body.c_post,
            closing,
        )


def make_conversations(
    sellers: Sellers,
    orders: Orders,
    grid: Grid,
    rng: np.random.Generator,
    zone: int,
    first_conv: int,
    buyers: tuple[int, int],
) -> list[Block]:
    market = sellers.market
    seller, day, t0 = draw(
        "question", rng, question_rates(sellers, grid), grid, rest_days(sellers, grid)
    )
    by_time = np.argsort(t0, kind="stable")
    seller, day, t0 = seller[by_time], day[by_time], t0[by_time]
    n = int(t0.shape[0])
    prm = sellers.param

    linked = _pick_orders(orders, seller, t0, rng)
    linked[rng.random(n) >= 0.45] = -1
    has_order = linked >= 0
    order_no = np.where(has_order, orders.number[np.maximum(linked, 0)] if len(orders) else -1, -1)
    buyer = np.where(
        has_order,
        orders.buyer[np.maximum(linked, 0)] if len(orders) else 0,
        rng.integers(buyers[0], buyers[1], n),
    )
    lang = language_of(sellers, seller, rng)
    if len(orders):
        lang = np.where(has_order, orders.language[np.maximum(linked, 0)], lang).astype(np.int8)
    forwarded = rng.random(n) < 0.08
    w = _Writer(lang, order_no, buyer, rng)
    all_rows = np.arange(n, dtype=np.int64)
    ask = w.core(all_rows, "presale")
    fwd = np.flatnonzero(forwarded)
    fwd_body = w.core(fwd, "forwarded")
    for part in ("c_pre", "c_post", "order"):
        getattr(ask, part)[fwd] = getattr(fwd_body, part)
    # "presale" has no _order pool: order questions come from order_q
    oq = np.flatnonzero(has_order & ~forwarded)
    oq_pre, oq_post, _ = w.ph.pick("order_q", lang[oq], rng)
    ask.c_pre[oq], ask.c_post[oq], ask.order[oq] = oq_pre, oq_post, order_no[oq]
    off = np.flatnonzero(~forwarded & (rng.random(n) < 0.004))
    c_pre, c_post, _ = w.ph.pick("contact_buyer", lang[off], rng)
    ask.c_pre[off], ask.c_post[off], ask.order[off] = c_pre, c_post, -1

    m = Messages()
    staff = sellers.staff[seller]
    in_surge = day >= sellers.surge_day[seller]
    slowdown = np.where(in_surge, prm("surge_slowdown")[seller], 1.0)
    no_reply = np.where(
        in_surge,
        np.maximum(prm("surge_no_reply")[seller], prm("no_reply")[seller]),
        prm("no_reply")[seller],
    )
    contact, wrong_language = prm("contact")[seller], prm("wrong_language")[seller]

    def reply_time(rows: I64, start: I64, scale: float) -> I64:
        s = seller[rows]
        delay = lognormal_s(
            rng,
            prm("reply_median_min")[s] * 60 * slowdown[rows] * scale,
            prm("reply_sigma")[s],
            rows.size,
            60,
            MAX_REPLY_S,
        )
        t = after_working(sellers.calendars, sellers.work[s], start, delay)
        away = sellers.in_closure(s, t) & ~staff[rows]  # nobody reads messages during the closure
        if away.any():
            back = lognormal_s(rng, 90 * 60, 0.8, int(away.sum()), 60, MAX_REPLY_S)
            t[away] = after_working(
                sellers.calendars, sellers.work[s[away]], sellers.reopened[s[away]], back
            )
        return t

    def answer(rows: I64, start: I64, scale: float = 1.0) -> I64:
        t = reply_time(rows, start, scale)
        author = np.where(staff[rows] & (rng.random(rows.size) < 0.5), STAFF, SELLER)
        explicit = np.where(rng.random(rows.size) < 0.05, 2, 0).astype(np.int8)
        m.add(
            rows,
            t,
            author.astype(np.int32),
            w.seller_reply(rows, contact[rows], wrong_language[rows]),
            explicit,
        )
        return t

    rows = np.flatnonzero(rng.random(n) < market.ack_rate)
    m.add(rows, t0[rows] + uniform_us(rng, 2, 60, rows.size), SYSTEM, w.core(rows, "ack"), 1)
    rows = np.flatnonzero(forwarded & (rng.random(n) < 0.7))
    m.add(
        rows, t0[rows] + uniform_us(rng, 30, 600, rows.size), AGENT, w.core(rows, "agent_forward")
    )
    rows = np.flatnonzero(sellers.in_closure(seller, t0))
    m.add(
        rows, t0[rows] + uniform_us(rng, 5, 40, rows.size), SELLER, w.core(rows, "vacation_auto"), 1
    )
    rows = np.flatnonzero(
        rng.random(n) < prm("canned")[seller]
    )  # same text, too fast to be read (R5.3)
    m.add(rows, t0[rows] + uniform_us(rng, 20, 150, rows.size), SELLER, w.core(rows, "canned"))
    rows = np.flatnonzero(has_order & (rng.random(n) < market.proactive_rate))
    m.add(
        rows,
        t0[rows] + uniform_us(rng, 600, 20 * 3600, rows.size),
        SYSTEM,
        w.core(rows, "proactive_order"),
        1,
    )

    answered = rng.random(n) >= no_reply
    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    rows = np.flatnonzero(answered)
    first[rows] = answer(rows, t0[rows])
    nudge_at = t0 + (lognormal_s(rng, 5 * 3600, 0.6, n, 1200, 3 * 86_400) * 1e6).astype(np.int64)
    rows = np.flatnonzero((rng.random(n) < np.where(answered, 0.1, 0.35)) & (nudge_at < first))
    m.add(rows, nudge_at[rows], BUYER, w.core(rows, "nudge"))
    rows = np.flatnonzero(~answered & (rng.random(n) < 0.3))
    m.add(
        rows,
        t0[rows] + uniform_us(rng, 26 * 3600, 72 * 3600, rows.size),
        AGENT,
        w.core(rows, "agent_takeover"),
    )

    # follow-up turns: the buyer writes back (sometimes twice in a row), the seller answers
    last, alive = first, answered
    for p_turn, p_answer in ((0.35, 0.92), (0.15, 0.8)):
        turn = alive & (rng.random(n) < p_turn)
        rows = np.flatnonzero(turn)
        start = last[rows] + (
            lognormal_s(rng, 2 * 3600, 1.0, rows.size, 120, 3 * 86_400) * 1e6
        ).astype(np.int64)
        m.add(rows, start, BUYER, w.core(rows, "followup"))
        again = rng.random(rows.size) < 0.15
        second = start + uniform_us(rng, 60, 1800, rows.size)
        m.add(rows[again], second[again], BUYER, w.core(rows[again], "nudge"))
        ok = rng.random(rows.size) < p_answer * (1 - no_reply[rows])
        reply_rows = rows[ok]
        t = answer(reply_rows, start[ok], 0.6)
        late_floor = np.where(again[ok], second[ok], start[ok]) + 60_000_000
        t = np.maximum(t, late_floor)
        m.at[-1] = t
        last = last.copy()
        last[reply_rows] = t
        alive = np.zeros(n, dtype=bool)
        alive[reply_rows] = True

    zones = np.full(n, zone, dtype=np.int8)
    conv = first_conv + np.arange(n, dtype=np.int64)
    question = Block(
        "question_opened",
        t0,
        zones,
        [
            Ref("conversation", prefix="c", num=conv),
            Label("seller", labels=tuple(sellers.ids), code=seller.astype(np.int32)),
            Ref("buyer", prefix="b", num=buyer),
            Ref("order", num=np.maximum(order_no, 0), present=has_order),
            Label("origin", labels=ORIGINS, code=forwarded.astype(np.int32)),
            TextField("body", body=ask),
        ],
    )
    conv_rows = np.concatenate(m.conv)
    automated = np.concatenate(m.automated)
    flag = Bool("automated", values=automated == 1, present=automated > 0)
    messages = Block(
        "message_sent",
        np.concatenate(m.at),
        zones[conv_rows],
        [
            Ref("conversation", prefix="c", num=conv[conv_rows]),
            Label("author", labels=AUTHORS, code=np.concatenate(m.author)),
            TextField("body", body=Body.concat(m.body)),
            flag,
        ],
    )
    return [question, messages]

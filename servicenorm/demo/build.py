"""Build a demo marketplace in memory: sellers, then their orders, conversations and account events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from servicenorm.demo import accounts
from servicenorm.demo.blocks import Block
from servicenorm.demo.catalog import catalog
from servicenorm.demo.conversations import make_conversations
from servicenorm.demo.orders import make_orders, rest_days
from servicenorm.demo.roster import Sellers, Skew, make_sellers
from servicenorm.demo.traffic import MARGIN_DAYS, Grid, make_grid
from servicenorm.demo.zoneclock import DAY_US, ZoneClock
from servicenorm.policy import PRESETS, load_preset

ALL = "all"
ALL_SHARES = {"bol": 0.4, "etsy": 0.2, "ebay": 0.2, "swopify": 0.2}  # --preset all
TENURE_MAX_DAYS = 4200  # registrations reach this far back (roster draws at most 4000 days)


@dataclass
class Marketplace:
    sellers: Sellers
    grid: Grid
    zone: int


@dataclass
class Demo:
    """Everything generated, as blocks of events, plus what the README describes."""

    preset: str
    seed: int
    start: date
    days: int
    zones: list[ZoneClock]
    markets: list[Marketplace] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    @property
    def end_us(self) -> int:
        return int(self.markets[0].grid.end_us) if self.markets else 0

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days)


def split_sellers(preset: str, sellers: int) -> dict[str, int]:
    if preset != ALL:
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; use one of {', '.join((*PRESETS, ALL))}")
        return {preset: sellers}
    names = list(ALL_SHARES)
    counts = [int(sellers * ALL_SHARES[m]) for m in names]
    for i in range(sellers - sum(counts)):  # hand out the rounding remainder, bol first
        counts[i % len(names)] += 1
    return {m: c for m, c in zip(names, counts, strict=True) if c > 0}


def build(
    sellers: int,
    days: int,
    preset: str = "bol",
    seed: int = 0,
    start: date = date(2026, 3, 2),
    step: Callable[[str], None] = lambda _: None,
    skew: Skew | None = None,
) -> Demo:
    """Generate the events of `sellers` sellers over `days` days from `start` (local midnight);
    `skew` spreads the shops' sizes (`roster.Skew`; default the demo's mix)."""
    if sellers < 1:
        raise ValueError("--sellers must be at least 1")
    if days < 1:
        raise ValueError("--days must be at least 1")
    plan = split_sellers(preset, sellers)
    zone_names = sorted({load_preset(m).zone for m in plan})
    day0 = date(start.year, start.month, start.day)
    lo = int(np.datetime64(day0, "us").astype(np.int64)) - TENURE_MAX_DAYS * DAY_US
    hi = int(np.datetime64(day0 + timedelta(days=days + MARGIN_DAYS + 2), "us").astype(np.int64))
    zones = [ZoneClock(z, lo, hi) for z in zone_names]
    demo = Demo(preset, seed, start, days, zones)
    counters = {"seller": 0, "order": 0, "case": 0, "conv": 0, "bill": 0, "buyer": 0}
    cat = catalog()
    for k, (name, n) in enumerate(plan.items()):
        step(f"{name}: sellers")
        policy = load_preset(name)
        market = cat.markets[name]
        z = zone_names.index(policy.zone)

        def rng(component: int, k: int = k) -> np.random.Generator:
            return np.random.default_rng([seed, k, component])

        grid = make_grid(zones[z], start, days, sorted(market.countries))
        roster = make_sellers(market, n, counters["seller"], grid, rng(0), skew)
        buyers = (counters["buyer"], counters["buyer"] + max(100, n * days * 4))
        step(f"{name}: orders")
        orders, order_blocks = make_orders(
            roster, grid, rng(1), z, counters["order"], counters["case"], buyers
        )
        step(f"{name}: conversations")
        conv_blocks = make_conversations(roster, orders, grid, rng(2), z, counters["conv"], buyers)
        step(f"{name}: calls, bills, closures")
        blocks = [accounts.registrations(roster, z)]
        if policy.phone is not None:  # only marketplaces with a phone norm publish phone numbers
            blocks.append(accounts.phone_hours(roster, z))
            blocks.append(accounts.calls(roster, grid, policy, rng(3), z, rest_days(roster, grid)))
        blocks += accounts.closures(roster, grid, z)
        bill_blocks, n_bills = accounts.bills(roster, grid, rng(4), z, counters["bill"])
        demo.blocks += blocks + order_blocks + conv_blocks + bill_blocks
        demo.markets.append(Marketplace(roster, grid, z))
        counters["seller"] += n
        counters["order"] += len(orders)
        counters["case"] += sum(len(b) for b in order_blocks if b.type == "case_opened")
        counters["conv"] += sum(len(b) for b in conv_blocks if b.type == "question_opened")
        counters["bill"] += n_bills
        counters["buyer"] = buyers[1]
    return demo

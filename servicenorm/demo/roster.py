"""The sellers of one demo marketplace: who they are and how each behaves.

The run's first sellers get one behaviour profile each, in profiles.toml order, so even a small
run shows every pattern; the rest are drawn by weight. Everything per seller is an array entry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from servicenorm.clock import Calendar
from servicenorm.demo.catalog import Market, Profile, catalog
from servicenorm.demo.phrases import LANGS
from servicenorm.demo.traffic import Grid, holiday_set_name
from servicenorm.demo.zoneclock import DAY_US, HOUR_US

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
NEVER = np.iinfo(np.int64).max // 4  # an instant after every other: "no such moment"

# The seller's own working hours: when it reads and answers messages and packs orders. Whole
# hours per day: the clock kernel's hour-table inverse is exact for those (see the report on
# deadlines in calendars with half-hour day lengths).
WORK_HOURS: dict[str, dict[str, list[list[str]]]] = {
    "office": {d: [["08:30", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    "office_sat": {
        **{d: [["08:30", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "sat": [["10:00", "14:00"]],
    },
    "extended": {
        d: [["07:00", "22:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    },
}
# Wider phone hours a seller may announce with phone_hours_set (docs/metrics.md).
WIDE_PHONE_HOURS: list[dict[str, list[list[str]]]] = [
    {
        **{d: [["08:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "sat": [["10:00", "16:00"]],
    },
    {d: [["09:00", "17:00"], ["19:00", "21:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    {d: [["08:00", "22:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
]
CATEGORY_SHARES = np.array([0.6, 0.85, 1.0])  # a seller's main, second and third category


@dataclass(frozen=True)
class Skew:
    """How shop sizes spread: log-normal with `sigma`, scaled to a mean of `mean` (a shop of
    size 1 writes about 50 events a day). The default is the demo's mix of similar shops; a
    marketplace-scale benchmark takes a wide spread and a small mean (most shops a few
    questions a week, the top 1 % hundreds a day)."""

    sigma: float = 0.8
    mean: float = 1.0

    def __post_init__(self) -> None:
        if not (0.0 < self.sigma <= 5.0):
            raise ValueError(f"skew sigma must be in (0, 5], not {self.sigma}")
        if not (0.0 < self.mean <= 100.0):
            raise ValueError(f"skew mean must be in (0, 100], not {self.mean}")


@dataclass
class Sellers:
    market: Market
    ids: list[str]
    country: list[str]
    profile: I32  # index into `profiles`
    profiles: list[Profile]
    size: F64
    staff: Bools
    work: I32  # index into `calendars`
    calendars: list[Calendar]
    registered: I64
    first_day: I64
    partner: I64  # the other shop of the same owner, or -1
    closed: I64  # shop_closed instant, NEVER when none
    reopened: I64
    absence: tuple[I64, I64, I64]  # announced instant, first day, last day (-1: none)
    surge_day: I64  # first day of an order surge, or the grid's span when none
    categories: npt.NDArray[np.int32]  # (n, 3) into market.categories
    languages: F64  # (n, len(LANGS)) cumulative language shares of its buyers
    phone_hours: I32  # index into WIDE_PHONE_HOURS, -1: default hours
    phone_set: I64  # when the phone hours are set

    def __len__(self) -> int:
        return len(self.ids)

    def param(self, name: str) -> F64:
        """A profile parameter for every seller."""
        return np.array([float(getattr(p, name)) for p in self.profiles])[self.profile]

    def is_profile(self, name: str) -> Bools:
        out: Bools = self.profile == [p.name for p in self.profiles].index(name)
        return out

    def in_closure(self, seller: I64, t: I64) -> Bools:
        return (t >= self.closed[seller]) & (t < self.reopened[seller])

    def country_codes(self) -> tuple[list[str], I32]:
        names = sorted(set(self.country))
        return names, np.array([names.index(c) for c in self.country], dtype=np.int32)


def _choice(rng: np.random.Generator, weights: dict[str, float], n: int) -> list[str]:
    keys = list(weights)
    p = np.array([weights[k] for k in keys])
    return [keys[i] for i in rng.choice(len(keys), size=n, p=p / p.sum())]


def make_sellers(
    market: Market,
    n: int,
    first_number: int,
    grid: Grid,
    rng: np.random.Generator,
    skew: Skew | None = None,
) -> Sellers:
    cat = catalog()
    profiles = list(cat.profiles.values())
    weights = np.array([p.weight for p in profiles])
    # the run's first sellers (across marketplaces with --preset all) take one profile each
    guaranteed = max(0, min(n, len(profiles) - first_number))
    profile = np.concatenate(
        [
            np.arange(first_number, first_number + guaranteed),
            rng.choice(len(profiles), size=n - guaranteed, p=weights / weights.sum()),
        ]
    ).astype(np.int32)
    country = _choice(rng, market.countries, n)
    ids = [f"{market.name}-{c.lower()}-{first_number + i:05d}" for i, c in enumerate(country)]

    sk = skew or Skew()
    size = np.exp(rng.normal(0.0, sk.sigma, n))  # a few big shops, many small ones
    size[:guaranteed] = 1.0
    if n > guaranteed:  # mean exactly 1, so the number of events is predictable for benchmarks
        size[guaranteed:] /= size[guaranteed:].mean()
    if sk.mean != 1.0:
        size *= sk.mean
    prm = np.array([[p.staff] for p in profiles])[profile, 0]
    staff = rng.random(n) < prm * np.clip(size, 0.5, 2.0)

    # work calendars, shared between sellers of the same style and country
    styles = [profiles[k].hours for k in profile]
    styles = [
        ("office_sat" if s == "office" and u < 0.3 else s)
        for s, u in zip(styles, rng.random(n), strict=True)
    ]
    keys: list[tuple[str, str]] = []
    work = np.zeros(n, dtype=np.int32)
    for i, (s, c) in enumerate(zip(styles, country, strict=True)):
        key = (s, "" if s == "extended" else c)
        if key not in keys:
            keys.append(key)
        work[i] = keys.index(key)
    zone = grid.clock.zone_name
    calendars = [
        Calendar.from_hours(
            zone,
            WORK_HOURS[s],
            holiday_sets=(holiday_set_name(c),) if c else (),
            name=f"demo work {s} {c}",
        )
        for s, c in keys
    ]

    # tenure: most shops existed before the run; a few open during it
    start_us = int(grid.midnight[0])
    tenure = np.clip(np.exp(rng.normal(np.log(500), 1.0, n)), 20, 4000).astype(np.int64)
    registered = start_us - tenure * DAY_US + rng.integers(8 * HOUR_US, 18 * HOUR_US, n)
    first_day = np.zeros(n, dtype=np.int64)
    newcomer = (rng.random(n) < 0.04) & (np.arange(n) >= guaranteed) & (grid.days >= 4)
    first_day[newcomer] = rng.integers(1, max(2, grid.days // 2), int(newcomer.sum()))
    registered[newcomer] = grid.midnight[first_day[newcomer]] - rng.integers(
        2 * HOUR_US, 14 * HOUR_US, int(newcomer.sum())
    )

    partner = np.full(n, -1, dtype=np.int64)
    pair_starts = [int(i) for i in np.flatnonzero(rng.random(n) < 0.05)]
    if n >= 2:
        pair_starts.append(n - 2)  # at least one owner with two shops
    for i in pair_starts:
        if i + 1 < n and partner[i] < 0 and partner[i + 1] < 0:
            partner[i], partner[i + 1] = i + 1, i

    closed, reopened, absence = _closures(profiles, profile, grid, rng)
    # a shop that opens during the run closes or announces nothing before it is registered
    # (its events would name a seller the store does not know yet)
    before = closed < registered
    closed[before], reopened[before] = NEVER, NEVER
    announced, first_absent, last_absent = absence
    gone = before | ((announced >= 0) & (announced < registered))
    announced[gone], first_absent[gone], last_absent[gone] = -1, -1, -1
    surge_day = np.full(n, grid.span, dtype=np.int64)
    surging = np.array([profiles[k].surge > 1.0 for k in profile], dtype=bool)
    surge_day[surging] = grid.days - max(3, min(10, grid.days // 3))

    cat_w = np.array([c.weight for c in market.categories])
    categories = rng.choice(len(market.categories), size=(n, 3), p=cat_w / cat_w.sum()).astype(
        np.int32
    )

    langs = cat.languages
    mix = [langs[market.name] if market.name in langs else langs[c] for c in country]
    shares = np.array([[m.get(lang, 0.0) for lang in LANGS] for m in mix])
    languages = np.cumsum(shares / shares.sum(axis=1, keepdims=True), axis=1)

    widen = rng.random(n) < np.array([p.phone_widen for p in profiles])[profile]
    phone_hours = np.where(widen, rng.integers(0, len(WIDE_PHONE_HOURS), n), -1).astype(np.int32)
    phone_set = np.maximum(registered, start_us) + rng.integers(HOUR_US, 3 * HOUR_US, n)
    mid = widen & (rng.random(n) < 0.35) & (grid.days >= 8)  # some widen their hours mid-run
    phone_set[mid] = (
        grid.midnight[rng.integers(grid.days // 4, 3 * grid.days // 4, int(mid.sum()))]
        + 12 * HOUR_US
    )
    phone_set = np.maximum(phone_set, registered + HOUR_US)  # not before the shop exists

    return Sellers(
        market=market,
        ids=ids,
        country=country,
        profile=profile,
        profiles=profiles,
        size=size,
        staff=staff,
        work=work,
        calendars=calendars,
        registered=registered,
        first_day=first_day,
        partner=partner,
        closed=closed,
        reopened=reopened,
        absence=absence,
        surge_day=surge_day,
        categories=categories,
        languages=languages,
        phone_hours=phone_hours,
        phone_set=phone_set,
    )


def _closures(
    profiles: list[Profile], profile: I32, grid: Grid, rng: np.random.Generator
) -> tuple[I64, I64, tuple[I64, I64, I64]]:
    """Vacation sellers close the shop (and announce it); a few others announce a short absence."""
    n = profile.shape[0]
    closed = np.full(n, NEVER, dtype=np.int64)
    reopened = np.full(n, NEVER, dtype=np.int64)
    announced = np.full(n, -1, dtype=np.int64)
    first = np.full(n, -1, dtype=np.int64)
    last = np.full(n, -1, dtype=np.int64)
    days = grid.days
    for i in np.flatnonzero([profiles[k].vacation for k in profile]):
        if days >= 21:
            c = int(rng.integers(days // 4, days * 3 // 5))
            length = min(int(rng.integers(7, 16)), days - c - 1)
        else:
            c, length = max(1, days // 4), max(2, min(7, days // 2))
        closed[i] = grid.midnight[c] + 18 * HOUR_US  # Friday-evening style: closes after work
        reopened[i] = grid.midnight[c + length] + 8 * HOUR_US
        first[i], last[i] = c + 1, c + length - 1
        notice = (
            int(rng.integers(14, 40)) if rng.random() < 0.6 else int(rng.integers(2, 14))
        )  # some too late (R4.7)
        announced[i] = closed[i] - notice * DAY_US - int(rng.integers(0, 8)) * HOUR_US
    others = np.flatnonzero((rng.random(n) < 0.06) & (first < 0))
    for i in others:
        day = int(rng.integers(0, max(1, days - 1)))
        notice = int(rng.integers(1, 30))
        announced[i] = grid.midnight[day] + int(rng.integers(9, 17)) * HOUR_US
        first[i] = min(day + notice, grid.span - 5)
        last[i] = first[i] + int(rng.integers(0, 4))
    return closed, reopened, (announced, first, last)

"""The operator's overview: sellers at risk and below a norm across the marketplaces in the
operator's scope, the actions taken and pending, and the last policy simulation."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, NamedTuple, cast
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import BigInteger, func, insert, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from servicenorm.access.errors import DomainError
from servicenorm.clock import to_us
from servicenorm.helpdesk.directory import list_marketplaces
from servicenorm.helpdesk.tally import seller_metrics
from servicenorm.norms import STATUS_ORDER, Status
from servicenorm.norms.bulk import Judge
from servicenorm.store.tables import Marketplace, Seller, StandingHour
from servicenorm.web.deps import NowDep, SessionDep
from servicenorm.web.pages import enforcement, simulation
from servicenorm.web.pages.auth import error_page
from servicenorm.web.pages.board import Board, board_for, iso_week, score_window
from servicenorm.web.pages.cards import figures, title_text
from servicenorm.web.pages.norms import NormRow
from servicenorm.web.pages.render import (
    Fmt,
    csv_response,
    fmt_for,
    language_of,
    market_zone,
    render,
    wants_csv,
)
from servicenorm.web.pages.session import CurrentViewer, Viewer, check_csrf
from servicenorm.web.pages.standings import Standings

router = APIRouter(include_in_schema=False)


class SellerRef(NamedTuple):
    """What the overview shows of a seller (its columns only: a marketplace has 47,000)."""

    id: str
    name: str
    country: str
    marketplace_id: str


@dataclass(frozen=True)
class Line:
    market: Marketplace
    seller: SellerRef
    row: NormRow
    title: str
    value: str
    threshold: str


@dataclass(frozen=True)
class Change:
    """A seller whose overall standing crossed the line since a week ago: newly below a norm
    in the score (`below`), or back above every one."""

    market: Marketplace
    seller: SellerRef
    below: bool
    then: Status
    now: Status


WEEK = timedelta(days=7)
LOOK_BACK = timedelta(days=1)  # how far before a week ago a kept standing still stands for it
# the at-risk table shows this many lines, the most severe first; the CSV has them all (a
# marketplace of 47,000 sellers has thousands, and writing each costs a norm's texts)
LINES_SHOWN = 300


_before: dict[tuple[str, str, datetime, tuple[str, ...]], dict[str, Status]] = {}
_before_lock = threading.Lock()


def _hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def stored_standing(s: Session, market_id: str, at: datetime) -> dict[str, Status] | None:
    """The standings the overview kept in `at`'s hour (`keep_standing`), None if none."""
    rows = s.execute(
        select(StandingHour.seller_id, StandingHour.status).where(
            StandingHour.marketplace_id == market_id, StandingHour.hour == _hour(at)
        )
    ).all()
    return {sid: cast(Status, st) for sid, st in rows} if rows else None


def keep_standing(s: Session, market_id: str, at: datetime, found: dict[str, Status]) -> None:
    """Keep what the overview shows at `at` for its hour, once (the first view of the hour;
    a concurrent one that kept it first wins): a week later it is the "week ago" standing."""
    hour = _hour(at)
    if not found or _kept(s, market_id, hour):
        return
    try:
        with s.begin_nested():
            s.execute(
                insert(StandingHour),
                [
                    {"marketplace_id": market_id, "hour": hour, "seller_id": sid, "status": st}
                    for sid, st in sorted(found.items())
                ],
            )
    except IntegrityError:
        pass  # another view of this hour kept it


def _kept(s: Session, market_id: str, hour: datetime) -> bool:
    """Whether a view of `hour` kept the standings (one row read, not the 47,000)."""
    t = StandingHour
    return (
        s.scalar(select(t.seller_id).where(t.marketplace_id == market_id, t.hour == hour).limit(1))
        is not None
    )


def standing_before(s: Session, board: Board, at: datetime) -> dict[str, Status]:
    """Each seller's worst in-score status in the current window as it stood at `at`: what
    the overview showed in that hour, where it kept it (`keep_standing`), or in the latest
    hour kept in the day before (nobody looks at night; counting a week-old window of 47,000
    sellers takes half a minute); else counted from
    the figures of that window only (one read for every seller; no trend weeks). A week-old
    window reads many days not settled by then (hundreds of ms on the demo marketplace), and
    what stood a week ago does not change as events arrive now: kept per store, marketplace,
    hour and seller list."""
    kept = stored_standing(s, board.market.id, at)
    if kept is None:  # an hour nobody looked: the latest hour kept in the day before it
        t = StandingHour
        near = s.scalar(
            select(func.max(t.hour)).where(
                t.marketplace_id == board.market.id,
                t.hour < _hour(at),
                t.hour >= _hour(at) - LOOK_BACK,
            )
        )
        kept = None if near is None else stored_standing(s, board.market.id, near)
    if kept is not None:
        return kept
    policy = board.policy
    hour = _hour(at)
    key = (str(s.get_bind().engine.url), board.market.id, hour, tuple(board.sellers))
    with _before_lock:
        known = _before.get(key)
    if known is not None:
        return known
    entries = seller_metrics(s.connection(), policy, board.sellers, score_window(policy, hour))
    judge = Judge(policy, iso_week(hour.astimezone(ZoneInfo(policy.zone)).date()))
    found: dict[str, Status] = {
        sid: judge.overall(judge.statuses(entry)) for sid, entry in entries.items()
    }
    with _before_lock:
        if len(_before) > 64:
            _before.clear()
        _before[key] = found
    return found


@dataclass(frozen=True)
class MarketSummary:
    market: Marketplace
    window: tuple[str, str]
    sellers: int
    counts: dict[Status, int]  # sellers by their worst in-score status


def chosen_markets(markets: list[Marketplace], preset: str | None) -> list[Marketplace]:
    return [m for m in markets if not preset or m.preset == preset]


def finding_text(key: str, lang: str, f: Fmt) -> str:
    """A simulated finding ("first_response", "weekly_late:2026-W45") in words."""
    norm, _, week = key.partition(":")
    name = enforcement.label(lang, "norm", norm)
    return f"{name} ({f.week(week)})" if week else name


_rows_seen: dict[tuple[object, ...], dict[str, NormRow]] = {}
_rows_lock = threading.Lock()


def _lines(
    found: list[tuple[Marketplace, SellerRef, Board, str, Status, bool]],
    f: Fmt,
    kept: dict[str, Standings],
    store: str,
) -> list[Line]:
    """The lines written out: the rows of their sellers' norms, read for those sellers only
    (one read per kind for all of them, per marketplace). A seller's rows are a function of
    its kept standing's version (`Standings.version`): read once per process for each."""
    keys: dict[tuple[str, str], tuple[object, ...] | None] = {}
    rows: dict[tuple[str, str], dict[str, NormRow]] = {}
    wanted: dict[str, set[str]] = {}
    for m, seller, *_ in found:
        if (m.id, seller.id) in keys:
            continue
        v = kept[m.id].version(seller.id)
        key = keys[(m.id, seller.id)] = None if v is None else (store, m.id, seller.id, *v)
        with _rows_lock:
            known = None if key is None else _rows_seen.get(key)
        if known is not None:
            rows[(m.id, seller.id)] = known
        else:
            wanted.setdefault(m.id, set()).add(seller.id)
    for m, _seller, board, *_ in found:
        if m.id in wanted:
            board.load(sorted(wanted.pop(m.id)))
    out = []
    for m, seller, board, slug, _st, _in in found:
        mine = rows.get((m.id, seller.id))
        if mine is None:
            mine = rows[(m.id, seller.id)] = {r.norm: r for r in board.norms(seller.id)}
            key = keys[(m.id, seller.id)]
            if key is not None:
                with _rows_lock:
                    if len(_rows_seen) >= 20_000:
                        _rows_seen.clear()
                    _rows_seen[key] = mine
        r = mine.get(slug)
        if r is not None:
            out.append(Line(m, seller, r, title_text(r, board.policy, f), *figures(r, f)))
    return out


@router.get("/ui/overview")
def overview(
    request: Request,
    viewer: CurrentViewer,
    s: SessionDep,
    now: NowDep,
    preset: str | None = None,
    country: str | None = None,
    norm: str | None = None,
    status: str | None = None,
) -> Response:
    try:
        markets = list_marketplaces(s, viewer.principal)
    except DomainError as e:
        return error_page(request, e, viewer)
    return _page(request, viewer, s, now, markets, preset, country, norm, status)


@router.post("/ui/overview/simulate")
def simulate(
    request: Request,
    viewer: CurrentViewer,
    s: SessionDep,
    now: NowDep,
    marketplace: Annotated[str, Form(max_length=100)],
    csrf: Annotated[str, Form()] = "",
    target: Annotated[str, Form(max_length=20)] = "",
    policy: Annotated[str, Form(max_length=200_000)] = "",
) -> Response:
    check_csrf(viewer, csrf)
    try:
        markets = list_marketplaces(s, viewer.principal)
    except DomainError as e:
        return error_page(request, e, viewer)
    market = next((m for m in markets if m.id == marketplace), None)
    if market is None:
        return error_page(request, None, viewer)
    try:
        percent = float(target.replace(",", ".")) if target.strip() else None
    except ValueError:
        percent = -1.0  # refused with the range message
    result = simulation.run(s, market, percent, policy, now)
    return _page(
        request,
        viewer,
        s,
        now,
        markets,
        None,
        None,
        None,
        None,
        result,
        policy_text=policy,
        target=target,
    )


def _page(
    request: Request,
    viewer: Viewer,
    s: Session,
    now: datetime,
    markets: list[Marketplace],
    preset: str | None,
    country: str | None,
    norm: str | None,
    status: str | None,
    sim: simulation.SimResult | None = None,
    policy_text: str = "",
    target: str = "",
) -> Response:
    lang = language_of(request)
    zones = {market_zone(m) for m in (chosen_markets(markets, preset))}
    f = fmt_for(request, zone=next(iter(zones)) if len(zones) == 1 else None)
    presets = sorted({m.preset for m in markets})
    chosen = chosen_markets(markets, preset)
    markets_shown = [m.id for m in chosen]
    registered: dict[str, list[tuple[str, str]]] = {}  # by marketplace: registered by now
    # (id, name, country, marketplace): a SellerRef is made only for the sellers listed
    sellers: dict[str, tuple[str, str, str, str]] = {}
    now_us = to_us(now)
    for sid, name, c, mid, reg in s.execute(
        select(
            Seller.id,
            Seller.name,
            Seller.country,
            Seller.marketplace_id,
            type_coerce(Seller.registered_at, BigInteger),
        )
        .where(Seller.marketplace_id.in_(markets_shown))
        .order_by(Seller.id)
    ):
        sellers[sid] = (sid, name, c, mid)
        if reg <= now_us:
            registered.setdefault(mid, []).append((sid, c))
    countries = sorted({x[2] for x in sellers.values()})
    found: list[tuple[Marketplace, SellerRef, Board, str, Status, bool]] = []
    changes: list[Change] = []
    summaries: list[MarketSummary] = []
    norms_seen: set[str] = set()
    standings: dict[str, Standings] = {}
    for m in chosen:
        board = board_for(s, m, now, trends=False)
        board.know(registered.get(m.id, []))
        before = standing_before(s, board, now - WEEK)
        counts: dict[Status, int] = {"below": 0, "at_risk": 0, "meets": 0, "no_data": 0}
        # each seller's kept standing, judged again only where something changed
        kept = standings[m.id] = Standings(
            s, m.id, board.policy, board.window, board.current_week, now
        )
        got = kept.of(board.sellers)
        in_score = kept.judge.in_score
        flagged: dict[int, list[tuple[str, Status]]] = {}  # by the statuses' tuple (shared)
        if not _kept(s, m.id, _hour(now)):
            keep_standing(s, m.id, now, {sid: x.worst for sid, x in got.items()})
        for sid in board.sellers:
            row = sellers.get(sid)
            mine = got.get(sid)
            if row is None or mine is None or (country and row[2] != country):
                continue
            worst = mine.worst
            counts[worst] += 1
            then: Status = before.get(sid, "no_data")
            if worst == "below" and then != "below":
                changes.append(Change(m, SellerRef(*row), True, then, worst))
            elif then == "below" and worst in ("at_risk", "meets"):
                changes.append(Change(m, SellerRef(*row), False, then, worst))
            listed = flagged.get(id(mine.statuses))
            if listed is None:  # sellers share a few combinations of statuses
                norms_seen.update(slug for slug, _ in mine.statuses)
                listed = flagged[id(mine.statuses)] = [
                    (slug, st)
                    for slug, st in mine.statuses
                    if st in ("below", "at_risk")
                    and not (norm and slug != norm)
                    and not (status and st != status)
                ]
            if listed:
                seller = SellerRef(*row)
                for slug, st in listed:
                    found.append((m, seller, board, slug, st, in_score[slug]))
        s.commit()  # the standings kept, and the hour's for next week's "what changed"
        w = board.window
        summaries.append(
            MarketSummary(
                m, (f.day(w.start), f.day(w.end - timedelta(days=1))), sum(counts.values()), counts
            )
        )
    found.sort(key=lambda x: (STATUS_ORDER[x[4]], not x[5], x[0].id, x[1].id, x[3]))
    csv = wants_csv(request) and sim is None
    lines = _lines(
        found if csv else found[:LINES_SHOWN], f, standings, str(s.get_bind().engine.url)
    )
    # the sellers whose actions and pending work are listed, as a query (not 47,000 ids)
    shown = select(Seller.id).where(Seller.marketplace_id.in_(markets_shown))
    if country:
        shown = shown.where(Seller.country == country)
    # each seller's times in its marketplace's zone; the zone is named when they differ
    by_market = {m.id: fmt_for(request, m) for m in chosen}
    times = {sid: by_market.get(x[3], f) for sid, x in sellers.items()}
    if csv:
        t = f.t
        return csv_response(
            "sellers-at-risk.csv",
            [
                t("overview.seller"),
                t("overview.marketplace"),
                t("overview.country"),
                t("overview.norm"),
                t("overview.value"),
                t("overview.threshold"),
                t("overview.status"),
            ],
            [
                [
                    x.seller.name,
                    x.market.title,
                    x.seller.country,
                    x.title,
                    x.value,
                    x.threshold,
                    t("status." + x.row.status),
                ]
                for x in lines
            ],
        )
    return render(
        request,
        "overview.html",
        viewer=viewer,
        lines=lines,
        more_lines=len(found) - min(len(found), LINES_SHOWN),
        summaries=summaries,
        new_below=sorted((c for c in changes if c.below), key=lambda c: c.seller.name),
        back_above=sorted((c for c in changes if not c.below), key=lambda c: c.seller.name),
        week_ago=now - WEEK,
        presets=presets,
        countries=countries,
        norms=sorted((enforcement.label(lang, "norm", n), n) for n in norms_seen),
        chosen={"preset": preset, "country": country, "norm": norm, "status": status},
        taken=enforcement.actions(s, shown, lang),
        pending=enforcement.pending(s, shown, lang),
        markets=markets,
        sim=sim,
        policy_text=policy_text,
        target=target,
        active="overview",
        times=times,
        names={sid: x[1] for sid, x in sellers.items()},
        finding=lambda x: finding_text(x, lang, f),
        action_label=lambda k: enforcement.label(lang, "action", k),
        mixed_zones=len(zones) > 1,
        fmt_zone=f.zone,
        status_code=422 if sim is not None and sim.error else 200,
    )

"""The seller's performance page ("Prestaties") and the items behind each number."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from servicenorm.access.errors import DomainError, NotFound
from servicenorm.access.principal import work_seller
from servicenorm.helpdesk.directory import seller_row
from servicenorm.norms import NORMS
from servicenorm.notify.templates import locale_for
from servicenorm.store.tables import Marketplace, Seller
from servicenorm.web.deps import NowDep, SessionDep
from servicenorm.web.pages import enforcement
from servicenorm.web.pages.auth import error_page
from servicenorm.web.pages.board import Board, board_for
from servicenorm.web.pages.cards import allowance_text, card, point_text
from servicenorm.web.pages.decisions import decision_rows
from servicenorm.web.pages.norms import worst
from servicenorm.web.pages.plan import dropout_plan
from servicenorm.web.pages.queue_model import queue_summary
from servicenorm.web.pages.render import (
    Fmt,
    csv_response,
    fmt_for,
    language_of,
    render,
    wants_csv,
)
from servicenorm.web.pages.session import CurrentViewer, Viewer

router = APIRouter(include_in_schema=False)


def _seller_board(
    s: Session, viewer: Viewer, seller_id: str, now: datetime
) -> tuple[Seller, Board]:
    seller = seller_row(s, seller_id)
    work_seller(viewer.principal, seller)
    market = s.get(Marketplace, seller.marketplace_id)
    assert market is not None  # foreign key
    return seller, board_for(s, market, now)


def window_text(board: Board, f: Fmt) -> str:
    w = board.window
    return f.t(
        "perf.window",
        days=board.policy.window.days,
        start=f.day(w.start),
        end=f.day(w.end - timedelta(days=1)),
        as_of=f.dt(board.as_of),
    )


def period_text(board: Board, f: Fmt) -> str:
    """The current window in short, stated on every figure."""
    w = board.window
    return f.t("perf.period", start=f.day(w.start), end=f.day(w.end - timedelta(days=1)))


@router.get("/ui/sellers/{seller_id}/performance")
def performance(
    request: Request, seller_id: str, viewer: CurrentViewer, s: SessionDep, now: NowDep
) -> HTMLResponse:
    try:
        seller, board = _seller_board(s, viewer, seller_id, now)
        # the true totals, and the soonest deadline that can still be met
        queue = queue_summary(s, viewer.principal, seller, now)
    except DomainError as e:
        return error_page(request, e, viewer)
    f = fmt_for(request, board.market)
    base = f"/ui/sellers/{seller.id}/performance"
    norms = board.norms(seller.id)
    cards = [card(r, board.policy, f, base, period_text(board, f)) for r in norms]
    plans = {c.row.norm: (c, dropout_plan(board, seller.id, c.row)) for c in cards}
    plans = {k: v for k, v in plans.items() if v[1]}
    score = enforcement.performance_score(board.entry(seller.id), board.policy)
    return render(
        request,
        "performance.html",
        viewer=viewer,
        seller=seller,
        market=board.market,
        policy=board.policy,
        cards=cards,
        overall=worst(norms, in_score_only=True),
        window=window_text(board, f),
        score=score,
        open_count=queue.total,
        overdue=queue.overdue,
        upcoming=queue.upcoming,
        plans=plans,
        figure=lambda c, v: point_text(c.row, v, f),
        banners=enforcement.seller_banners(s, seller.id, now, language_of(request)),
        decisions=decision_rows(s, seller.id, now),
        active="performance",
        may_choose_language=viewer.principal.role in ("seller", "operator"),
        own_language=seller.language,
        by_country=locale_for(
            seller.country, board.policy.moderation.languages, None, board.policy.language
        ),
        language_saved=request.query_params.get("language_saved") == "1",
    )


def _columns(metric: str) -> list[tuple[str, str]]:
    """(column key, text key) per metric's item rows."""
    if metric in ("first_response", "message_response"):
        return [
            ("item", "explain.item"),
            ("received_at", "explain.received"),
            ("deadline_at", "explain.deadline"),
            ("replied_at", "explain.reply"),
            ("taken", "explain.taken"),
            ("status", "explain.status"),
        ]
    if metric == "phone":
        return [
            ("item", "explain.call"),
            ("received_at", "explain.at"),
            ("status", "explain.status"),
        ]
    if metric == "shipping":
        return [
            ("item", "explain.order"),
            ("placed_at", "explain.placed"),
            ("ship_by_at", "explain.ship_by"),
            ("shipped_at", "explain.shipped"),
            ("tracking", "explain.tracking"),
            ("status", "explain.status"),
        ]
    if metric == "reviews":
        return [
            ("item", "explain.review"),
            ("order_id", "explain.order"),
            ("received_at", "explain.at"),
            ("rating", "explain.rating"),
        ]
    return [
        ("item", "explain.order"),
        ("category", "explain.category"),
        ("questions", "explain.questions"),
        ("category_rate", "explain.category_rate"),
    ]


def _cell(key: str, r: dict[str, Any], f: Fmt) -> str:
    v = r.get(key)
    if key == "taken":
        if r.get("status") == "pending" or r.get("replied") is None:
            return f.span(r.get("wt_as_of"))
        return f.span(r.get("wt_reply"))
    if key.endswith("_at"):
        return (
            f.dt(v) if v is not None else (f.t("explain.no_reply") if key == "replied_at" else "—")
        )
    if key == "status":
        return f.t(f"item_status.{v}")
    if key == "category_rate":
        return f.number(float(v), 3) if v is not None else "—"
    return "—" if v is None or v == "" else str(v)


@router.get("/ui/sellers/{seller_id}/performance/{norm}")
def explain(
    request: Request,
    seller_id: str,
    norm: str,
    viewer: CurrentViewer,
    s: SessionDep,
    now: NowDep,
    status: str | None = None,
    week: str | None = None,
) -> Response:
    try:
        if norm not in NORMS:
            raise NotFound(f"unknown norm {norm!r}")
        seller, board = _seller_board(s, viewer, seller_id, now)
    except DomainError as e:
        return error_page(request, e, viewer)
    f = fmt_for(request, board.market)
    metric = NORMS[norm].evidence.metric
    # the filter offers the weeks of the current window; a trend point may still link to an
    # earlier week, which is then shown (and offered) on its own
    weeks = [w[0] for w in board.window.iso_weeks()]
    known = [w[0] for w in board.trend_window.iso_weeks()]
    week = week if week in weeks or week in known else None
    if week is not None and week not in weeks:
        weeks = [week, *weeks]
    items = board.items(metric, seller.id, week)
    statuses = sorted({str(r["status"]) for r in items if r.get("status") is not None})
    shown = [r for r in items if not status or r.get("status") == status]
    columns = _columns(metric)
    table = [[(_cell(k, r, f), k, str(r.get("status", ""))) for k, _ in columns] for r in shown]
    title = NORMS[norm].name(
        f.t.code, within=allowance_text(board.policy, f), week=f.week(week or board.current_week)
    )
    if wants_csv(request):
        return csv_response(
            f"{seller.id}-{norm}{'-' + week if week else ''}.csv",
            [f.t(t) for _, t in columns],
            [[text for text, _k, _s in r] for r in table],
        )
    cal = board.policy.response_calendar(seller.country)
    return render(
        request,
        "explain.html",
        viewer=viewer,
        seller=seller,
        market=board.market,
        norm=norm,
        title=title,
        columns=[t for _, t in columns],
        rows=table,
        total=len(items),
        status=status,
        statuses=statuses,
        week=week,
        weeks=weeks,
        calendar=cal.name or cal.zone_name,
        window=window_text(board, f),
        back=f"/ui/sellers/{seller.id}/performance",
        active="performance",
    )

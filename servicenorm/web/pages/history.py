"""A seller's history for the platform's operators and agents: findings, actions and
restrictions, e-mails (with why one is still waiting), badges, takeovers, conversations the
platform took over, and complaints, newest first, every time in the marketplace's zone.

The page reads the rows enforcement and notification wrote; its forms act through
`history_actions` (the same functions as the API routes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.access.errors import DomainError, Forbidden
from servicenorm.access.principal import Principal, work_seller
from servicenorm.enforce.assignment import agents_of
from servicenorm.enforce.complaints import complaints_of
from servicenorm.enforce.enforce_tables import Action, BadgeRow, Complaint, FindingRow, Takeover
from servicenorm.enforce.kinds import RESTRICTIONS
from servicenorm.enforce.operator import REASON_CODES
from servicenorm.helpdesk import waivers
from servicenorm.helpdesk.directory import seller_row
from servicenorm.norms import NORMS, display
from servicenorm.notify.notify_tables import OutboxMessage
from servicenorm.store.tables import Account, Buyer, Conversation, Marketplace, Seller
from servicenorm.web.deps import NowDep, SessionDep
from servicenorm.web.pages import enforcement
from servicenorm.web.pages.auth import error_page
from servicenorm.web.pages.render import Fmt, fmt_for, language_of, render
from servicenorm.web.pages.session import CurrentViewer

router = APIRouter(include_in_schema=False)
SHOWN = 100  # rows per section


@dataclass(frozen=True)
class FindingLine:
    at: datetime
    norm: str  # its name in the reader's language
    value: str
    threshold: str
    window: str
    detail: str
    in_score: bool


@dataclass(frozen=True)
class History:
    seller: Seller
    market: Marketplace
    findings: list[FindingLine]
    actions: list[Action]
    mails: list[OutboxMessage]
    badges: list[BadgeRow]
    takeovers: list[Takeover]
    taken: list[tuple[Conversation, str]]  # open conversations the platform took over, buyer
    complaints: list[Complaint]
    agents: list[Account]
    names: dict[str, str]  # account id -> name, for who did what


def platform_seller(s: Session, p: Principal, seller_id: str) -> tuple[Seller, Marketplace]:
    """The seller, for the platform's operators and agents of its marketplace only."""
    seller = seller_row(s, seller_id)
    work_seller(p, seller)  # 404 outside the caller's marketplace
    if not p.is_platform:
        raise Forbidden("a seller's history is for the marketplace's operators and agents")
    market = s.get(Marketplace, seller.marketplace_id)
    assert market is not None  # foreign key
    return seller, market


def _figure(norm: str, v: float, against: float, f: Fmt) -> str:
    n = NORMS.get(norm)
    if n is None:
        return f.number(v, 2)
    return display.plain(n, v, against, f.t.decimal, f.t("format.percent", value="{value}"))


def _window(a: str, b: str, f: Fmt) -> str:
    try:
        return f"{f.day(date.fromisoformat(a))} – {f.day(date.fromisoformat(b))}"
    except ValueError:
        return f"{a} – {b}"


def findings(s: Session, seller_id: str, f: Fmt, lang: str) -> list[FindingLine]:
    rows = s.scalars(
        select(FindingRow)
        .where(FindingRow.seller_id == seller_id)
        .order_by(FindingRow.at.desc(), FindingRow.norm)
        .limit(SHOWN)
    )
    return [
        FindingLine(
            r.at,
            enforcement.label(lang, "norm", r.norm),
            _figure(r.norm, r.value, r.threshold, f),
            _figure(r.norm, r.threshold, r.threshold, f),
            _window(r.window_from, r.window_to, f),
            f.week(r.detail) if "-W" in r.detail else r.detail,
            r.in_score,
        )
        for r in rows
    ]


def history(s: Session, seller: Seller, market: Marketplace, f: Fmt, lang: str) -> History:
    sid = seller.id
    actions = list(
        s.scalars(
            select(Action)
            .where(Action.seller_id == sid)
            .order_by(Action.start_at.desc(), Action.id)
            .limit(SHOWN)
        )
    )
    mails = list(
        s.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.seller_id == sid)
            .order_by(OutboxMessage.at.desc(), OutboxMessage.id)
            .limit(SHOWN)
        )
    )
    badges = list(s.scalars(select(BadgeRow).where(BadgeRow.seller_id == sid)))
    takeovers = list(
        s.scalars(
            select(Takeover)
            .where(Takeover.seller_id == sid)
            .order_by(Takeover.at.desc(), Takeover.id)
            .limit(SHOWN)
        )
    )
    taken = [
        (c, b)
        for c, b in s.execute(
            select(Conversation, Buyer.name)
            .join(Buyer, Buyer.id == Conversation.buyer_id)
            .where(
                Conversation.seller_id == sid,
                Conversation.taken_over_at.isnot(None),
                Conversation.closed_at.is_(None),
            )
            .order_by(Conversation.taken_over_at.desc())
            .limit(SHOWN)
        ).all()
    ]
    complaints = list(reversed(complaints_of(s, sid)))[:SHOWN]
    agents = agents_of(s, market.id)
    ids = {a.created_by for a in actions} | {a.lifted_by for a in actions if a.lifted_by}
    ids |= {t.agent_id for t in takeovers if t.agent_id} | {c.taken_over_by or "" for c, _ in taken}
    names = (
        {k: v for k, v in s.execute(select(Account.id, Account.name).where(Account.id.in_(ids)))}
        if ids
        else {}
    )
    return History(
        seller,
        market,
        findings(s, sid, f, lang),
        actions,
        mails,
        badges,
        takeovers,
        taken,
        complaints,
        agents,
        names,
    )


def mail_reason(m: OutboxMessage, f: Fmt) -> str:
    """Why an e-mail is where it is, in words: waiting for its next try, failed, withdrawn."""
    t = f.t
    if m.state == "failed":
        return t("overview.email_failed", attempts=m.attempts, error=m.last_error or "—")
    if m.state == "sending":
        return t("overview.email_sending")
    if m.state == "cancelled":
        return t("history.email_cancelled", reason=m.last_error or "—")
    if m.state == "sent":
        return t("history.email_sent", at=f.dt(m.sent_at))
    if m.attempts:
        return t(
            "overview.email_retry",
            attempts=m.attempts,
            error=m.last_error or "—",
            at=f.dt(m.next_attempt_at),
        )
    return t("overview.email_waiting", at=f.dt(m.next_attempt_at))


@router.get("/ui/sellers/{seller_id}/history")
def page(
    request: Request, seller_id: str, viewer: CurrentViewer, s: SessionDep, now: NowDep
) -> HTMLResponse:
    try:
        seller, market = platform_seller(s, viewer.principal, seller_id)
    except DomainError as e:
        return error_page(request, e, viewer)
    lang = language_of(request)
    f = fmt_for(request, market)
    h = history(s, seller, market, f, lang)
    return render(
        request,
        "history.html",
        viewer=viewer,
        seller=seller,
        market=market,
        h=h,
        now=now,
        restrictions=[(k, enforcement.label(lang, "action", k)) for k in RESTRICTIONS],
        reason_codes=[(k, enforcement.label(lang, "reason", k)) for k in REASON_CODES],
        label=lambda group, key: enforcement.label(lang, group, key),
        mail_reason=lambda m: mail_reason(m, f),
        done=request.query_params.get("done", ""),
        failed=request.query_params.get("failed", ""),
        active="history",
        shown=SHOWN,
        waivers=waivers.waivers_of(s, seller.id, SHOWN),
        waiver_allowed=waivers.allowed(market.preset),
    )

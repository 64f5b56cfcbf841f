"""The decisions section of the seller's performance page: each restricting decision with
its statement of reasons, a termination's countdown during its notice period, and a form to
complain (DSA Art. 20) while the window is open. The rules live in `servicenorm.enforce`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.access.errors import DomainError, NotFound
from servicenorm.access.principal import work_seller
from servicenorm.enforce import complaints
from servicenorm.enforce.enforce_tables import Action, Complaint, Statement
from servicenorm.enforce.notices import Notifier
from servicenorm.helpdesk.directory import seller_row
from servicenorm.policy.stored import policy_for
from servicenorm.store.tables import Marketplace
from servicenorm.web.deps import NowDep, SessionDep
from servicenorm.web.pages.auth import error_page
from servicenorm.web.pages.session import CurrentViewer, check_csrf

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class DecisionRow:
    action_id: str
    kind: str
    reason_code: str
    state: str
    stated: datetime
    start: datetime
    end: datetime | None
    subject: str
    complaint_until: datetime
    notice_days: int | None  # days left before a termination takes effect
    can_complain: bool
    complaints: tuple[Complaint, ...]


def decision_rows(s: Session, seller_id: str, now: datetime) -> list[DecisionRow]:
    """The seller's restricting decisions with a statement, newest first."""
    rows = s.execute(
        select(Action, Statement)
        .join(Statement, Statement.action_id == Action.id)
        .where(Action.seller_id == seller_id)
        .order_by(Statement.stated_at.desc(), Action.id)
        .limit(50)
    ).all()
    filed: dict[str, list[Complaint]] = {}
    for c in complaints.complaints_of(s, seller_id):
        filed.setdefault(c.action_id, []).append(c)
    out = []
    for a, st in rows:
        pending = a.state == "active" and now < a.start_at
        out.append(
            DecisionRow(
                a.id,
                a.kind,
                a.reason_code,
                a.state,
                st.stated_at,
                a.start_at,
                a.end_at,
                str(st.content.get("subject", "")),
                st.complaint_until,
                math.ceil((a.start_at - now).total_seconds() / 86400) if pending else None,
                now <= st.complaint_until
                and not any(c.state == "open" for c in filed.get(a.id, [])),
                tuple(filed.get(a.id, [])),
            )
        )
    return out


@router.post("/ui/sellers/{seller_id}/complaints")
def file_complaint(
    request: Request,
    seller_id: str,
    viewer: CurrentViewer,
    s: SessionDep,
    now: NowDep,
    action_id: Annotated[str, Form(max_length=32)],
    text: Annotated[str, Form(max_length=complaints.MAX_TEXT)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(viewer, csrf)
    try:
        seller = seller_row(s, seller_id)
        work_seller(viewer.principal, seller)
        market = s.get(Marketplace, seller.marketplace_id)
        assert market is not None  # foreign key
        a = s.get(Action, action_id)
        if a is None or a.seller_id != seller.id:
            raise NotFound(f"action {action_id!r} not found")
        n = Notifier(s, policy_for(market.preset), now)
        complaints.file_complaint(n, viewer.principal, action_id, text, now)
        s.commit()
    except DomainError as e:
        s.rollback()
        if e.status in (403, 404):
            page: HTMLResponse = error_page(request, e, viewer)
            return page
        back = f"/ui/sellers/{escape(seller_id)}/performance#decisions"
        return HTMLResponse(
            f'<!doctype html><p role="alert">{escape(str(e))}</p><p><a href="{back}">&larr;</a></p>',
            status_code=e.status,
        )
    return RedirectResponse(f"/ui/sellers/{seller_id}/performance#decisions", status_code=303)


@router.get("/ui/sellers/{seller_id}/decisions/{action_id}/statement")
def statement_page(
    request: Request, seller_id: str, action_id: str, viewer: CurrentViewer, s: SessionDep
) -> HTMLResponse:
    """The printable statement of reasons, for a signed-in page visitor."""
    from servicenorm.enforce.statements import statement_of
    from servicenorm.web.api.decisions import statement_html

    try:
        seller = seller_row(s, seller_id)
        work_seller(viewer.principal, seller)
        st = statement_of(s, action_id)
        if st is None or st.seller_id != seller.id:
            raise NotFound(f"action {action_id!r} has no statement of reasons")
    except DomainError as e:
        page: HTMLResponse = error_page(request, e, viewer)
        return page
    return HTMLResponse(statement_html(st))

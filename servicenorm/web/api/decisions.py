"""Decisions a seller can read and contest (P2B Art. 4, 11; DSA Art. 17, 20): the statement
of reasons of a decision (JSON, or a printable HTML page), complaints against it, the
platform's complaint queue and the decision on a complaint.

The seller (and its staff) read their own statements and file complaints; agents and
operators read their marketplace's, work the queue and decide, always as a signed-in person.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from servicenorm.access.errors import NotFound
from servicenorm.access.principal import Principal, work_seller_of
from servicenorm.enforce import complaints as complaints_mod
from servicenorm.enforce.enforce_tables import Action, Complaint, Statement
from servicenorm.enforce.notices import Notifier
from servicenorm.enforce.statements import statement_of
from servicenorm.policy.stored import policy_for
from servicenorm.store.tables import Marketplace, Seller
from servicenorm.web.deps import CurrentPrincipal, NowDep, SessionDep
from servicenorm.web.schemas.common import Id, Limit

router = APIRouter(prefix="/enforcement", tags=["enforcement"])


class StatementPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    action_id: str
    seller_id: str
    kind: str
    reason_code: str
    locale: str
    stated_at: datetime
    start_at: datetime = Field(description="when the measure takes effect")
    end_at: datetime | None = Field(description="null: until lifted")
    complaint_until: datetime
    automated_detection: bool
    automated_decision: str = Field(description="fully, partially or not")
    dsa: bool = Field(description="in DSA scope: submitted to the Transparency Database")
    content: dict[str, Any]


class ComplaintCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=complaints_mod.MAX_TEXT)


class ComplaintDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["upheld", "reversed", "partly_reversed"]
    reasons: str = Field(min_length=1, max_length=5000)


class ComplaintPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    action_id: str
    statement_id: str
    seller_id: str
    kind: str
    reason_code: str
    text: str
    filed_by: str
    filed_at: datetime
    due_at: datetime = Field(description="the handling deadline, in working time")
    state: str
    outcome: str | None
    reasons: str | None
    decided_by: str | None
    decided_at: datetime | None


def _action(s: Session, p: Principal, action_id: str) -> tuple[Action, Seller]:
    row = s.get(Action, action_id)
    if row is None:
        raise NotFound(f"action {action_id!r} not found")
    seller = s.get(Seller, row.seller_id)
    if seller is None:
        raise NotFound(f"action {action_id!r} not found")
    work_seller_of(p, seller.id, seller.marketplace_id)
    return row, seller


def _notifier(s: Session, seller: Seller, now: datetime) -> Notifier:
    market = s.get(Marketplace, seller.marketplace_id)
    assert market is not None  # foreign key
    return Notifier(s, policy_for(market.preset), now)


def statement_html(st: Statement) -> str:
    """A printable page: the statement's text as sent, and its data."""
    text = str(st.content.get("text", ""))
    subject = str(st.content.get("subject", ""))
    paragraphs = "".join(
        f"<p>{escape(block).replace(chr(10), '<br>')}</p>" for block in text.split("\n\n")
    )
    return (
        f'<!doctype html><html lang="{escape(st.locale)}"><head><meta charset="utf-8">'
        f"<title>{escape(subject)}</title>"
        "<style>body{font:12pt/1.5 serif;max-width:42em;margin:2em auto}"
        "@media print{a{color:inherit}}dt{font-weight:bold}</style></head><body>"
        f"<h1>{escape(subject)}</h1>{paragraphs}<hr><dl>"
        f"<dt>Statement</dt><dd>{escape(st.id)}</dd>"
        f"<dt>Decision</dt><dd>{escape(st.action_id)}</dd>"
        f"<dt>Stated</dt><dd>{escape(st.stated_at.isoformat())}</dd>"
        f"<dt>In effect</dt><dd>{escape(st.start_at.isoformat())}</dd>"
        f"<dt>Complaints until</dt><dd>{escape(st.complaint_until.isoformat())}</dd>"
        "</dl></body></html>"
    )


@router.get(
    "/actions/{action_id}/statement",
    response_model=StatementPublic,
    responses={200: {"content": {"text/html": {}}}},
)
def get_statement(
    action_id: Id,
    request: Request,
    s: SessionDep,
    p: CurrentPrincipal,
    format: Annotated[Literal["json", "html"] | None, Query()] = None,
) -> Any:
    """The statement of reasons of a decision: JSON, or a printable page with
    `format=html` (or `Accept: text/html`)."""
    _action(s, p, action_id)
    st = statement_of(s, action_id)
    if st is None:
        raise NotFound(f"action {action_id!r} has no statement of reasons")
    wants_html = format == "html" or (
        format is None and "text/html" in request.headers.get("accept", "")
    )
    if wants_html:
        return HTMLResponse(statement_html(st))
    return StatementPublic.model_validate(st)


@router.post(
    "/actions/{action_id}/complaints",
    status_code=status.HTTP_201_CREATED,
    response_model=ComplaintPublic,
)
def file_complaint(
    action_id: Id, body: ComplaintCreate, s: SessionDep, p: CurrentPrincipal, now: NowDep
) -> ComplaintPublic:
    """The seller or its staff contests a decision (free; within the statement's window)."""
    _, seller = _action(s, p, action_id)
    c = complaints_mod.file_complaint(_notifier(s, seller, now), p, action_id, body.text, now)
    s.commit()
    return ComplaintPublic.model_validate(c)


@router.get("/complaints", response_model=list[ComplaintPublic])
def list_complaints(
    s: SessionDep,
    p: CurrentPrincipal,
    state: Literal["open", "decided"] | None = "open",
    limit: Limit = 100,
) -> list[ComplaintPublic]:
    """The complaint queue of the caller's marketplace, earliest handling deadline first."""
    return [ComplaintPublic.model_validate(c) for c in complaints_mod.queue(s, p, state, limit)]


@router.post("/complaints/{complaint_id}/decision", response_model=ComplaintPublic)
def decide_complaint(
    complaint_id: Id, body: ComplaintDecision, s: SessionDep, p: CurrentPrincipal, now: NowDep
) -> ComplaintPublic:
    """An agent or operator decides a complaint; a reversal lifts the restriction."""
    c = s.get(Complaint, complaint_id)
    if c is None:
        raise NotFound(f"complaint {complaint_id!r} not found")
    seller = s.get(Seller, c.seller_id)
    if seller is None:
        raise NotFound(f"complaint {complaint_id!r} not found")
    out = complaints_mod.decide(
        _notifier(s, seller, now), p, complaint_id, body.outcome, body.reasons, now
    )
    s.commit()
    return ComplaintPublic.model_validate(out.complaint)

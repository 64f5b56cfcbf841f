"""Saved replies (docs/helpdesk.md): per-seller templates with variables for frequent questions.
The seller (or an operator) writes them; staff read and use them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.access.errors import Conflict, Forbidden, NotFound
from servicenorm.access.principal import Principal, manage_seller, work_seller
from servicenorm.helpdesk.directory import seller_row
from servicenorm.helpdesk.templates import variables_in
from servicenorm.store.ids import new_id
from servicenorm.store.tables import SavedReply


def _title_free(s: Session, seller_id: str, title: str, except_id: str | None = None) -> None:
    clash = s.scalars(
        select(SavedReply).where(SavedReply.seller_id == seller_id, SavedReply.title == title)
    ).first()
    if clash is not None and clash.id != except_id:
        raise Conflict(f"a saved reply titled {title!r} exists already", "title")


def create(
    s: Session, p: Principal, seller_id: str, title: str, body: str, now: datetime
) -> SavedReply:
    seller = seller_row(s, seller_id)
    manage_seller(p, seller)
    variables_in(body)
    _title_free(s, seller.id, title)
    r = SavedReply(
        id=new_id(), seller_id=seller.id, title=title, body=body, created_at=now, updated_at=now
    )
    s.add(r)
    s.flush()
    return r


def list_for(s: Session, p: Principal, seller_id: str) -> list[SavedReply]:
    seller = seller_row(s, seller_id)
    work_seller(p, seller)
    return list(
        s.scalars(
            select(SavedReply).where(SavedReply.seller_id == seller.id).order_by(SavedReply.title)
        )
    )


def _visible(s: Session, p: Principal, reply_id: str) -> SavedReply:
    r = s.get(SavedReply, reply_id)
    if r is None:
        raise NotFound(f"saved reply {reply_id!r} not found")
    try:
        work_seller(p, seller_row(s, r.seller_id))
    except (Forbidden, NotFound):
        raise NotFound(f"saved reply {reply_id!r} not found") from None
    return r


def get(s: Session, p: Principal, reply_id: str) -> SavedReply:
    return _visible(s, p, reply_id)


def update(
    s: Session, p: Principal, reply_id: str, title: str | None, body: str | None, now: datetime
) -> SavedReply:
    r = _visible(s, p, reply_id)
    manage_seller(p, seller_row(s, r.seller_id))
    if body is not None:
        variables_in(body)
        r.body = body
    if title is not None:
        _title_free(s, r.seller_id, title, r.id)
        r.title = title
    r.updated_at = now
    return r


def delete(s: Session, p: Principal, reply_id: str) -> None:
    r = _visible(s, p, reply_id)
    manage_seller(p, seller_row(s, r.seller_id))
    s.delete(r)

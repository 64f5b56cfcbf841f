"""Listings with their facts and FAQ answers (docs/helpdesk.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.access.errors import Conflict, NotFound
from servicenorm.access.principal import Principal, manage_seller, see_seller_public
from servicenorm.helpdesk.directory import caller_buyer, seller_row
from servicenorm.helpdesk.suggestions import Suggestion, suggest
from servicenorm.store.ids import new_id
from servicenorm.store.tables import Faq, Listing


def create(
    s: Session,
    p: Principal,
    seller_id: str,
    id: str,
    title: str,
    facts: dict[str, str],
    now: datetime,
) -> Listing:
    seller = seller_row(s, seller_id)
    manage_seller(p, seller)
    if s.get(Listing, id) is not None:
        raise Conflict(f"listing {id!r} exists already", "id")
    listing = Listing(id=id, seller_id=seller.id, title=title, facts=facts, created_at=now)
    s.add(listing)
    s.flush()
    return listing


def visible(s: Session, p: Principal, listing_id: str) -> Listing:
    listing = s.get(Listing, listing_id)
    if listing is None:
        raise NotFound(f"listing {listing_id!r} not found")
    try:
        see_seller_public(p, seller_row(s, listing.seller_id), caller_buyer(s, p))
    except NotFound:
        raise NotFound(f"listing {listing_id!r} not found") from None
    return listing


def faqs_of(s: Session, listing_id: str) -> list[Faq]:
    return list(
        s.scalars(select(Faq).where(Faq.listing_id == listing_id).order_by(Faq.created_at, Faq.id))
    )


def update_facts(
    s: Session, p: Principal, listing_id: str, title: str | None, facts: dict[str, str] | None
) -> Listing:
    listing = visible(s, p, listing_id)
    manage_seller(p, seller_row(s, listing.seller_id))
    if title is not None:
        listing.title = title
    if facts is not None:
        listing.facts = facts
    return listing


def add_faq(
    s: Session, p: Principal, listing_id: str, question: str, answer: str, now: datetime
) -> Faq:
    listing = visible(s, p, listing_id)
    manage_seller(p, seller_row(s, listing.seller_id))
    faq = Faq(id=new_id(), listing_id=listing.id, question=question, answer=answer, created_at=now)
    s.add(faq)
    s.flush()
    return faq


def delete_faq(s: Session, p: Principal, listing_id: str, faq_id: str) -> None:
    listing = visible(s, p, listing_id)
    manage_seller(p, seller_row(s, listing.seller_id))
    faq = s.get(Faq, faq_id)
    if faq is None or faq.listing_id != listing.id:
        raise NotFound(f"FAQ {faq_id!r} not found")
    s.delete(faq)


def suggestions(
    s: Session, p: Principal, listing_id: str, text: str, limit: int
) -> list[Suggestion]:
    listing = visible(s, p, listing_id)
    faqs = [(f.id, f.question, f.answer) for f in faqs_of(s, listing.id)]
    return suggest(text, faqs, listing.facts, limit)

"""Listings with facts and FAQ answers, and suggestions while a buyer types (R2.6)."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy.orm import Session

from servicenorm.helpdesk import listings
from servicenorm.store.tables import Listing
from servicenorm.web.deps import CurrentPrincipal, NowDep, SessionDep
from servicenorm.web.schemas.common import Id
from servicenorm.web.schemas.content import (
    FaqCreate,
    FaqPublic,
    ListingPublic,
    ListingUpdate,
    SuggestionPublic,
    SuggestRequest,
)

router = APIRouter(prefix="/listings", tags=["listings"])


def _public(s: Session, listing: Listing) -> ListingPublic:
    return ListingPublic(
        id=listing.id,
        seller_id=listing.seller_id,
        title=listing.title,
        facts=listing.facts,
        faqs=[FaqPublic.model_validate(f) for f in listings.faqs_of(s, listing.id)],
    )


@router.get("/{listing_id}", response_model=ListingPublic)
def get_listing(listing_id: Id, s: SessionDep, p: CurrentPrincipal) -> ListingPublic:
    return _public(s, listings.visible(s, p, listing_id))


@router.patch("/{listing_id}", response_model=ListingPublic)
def update_listing(
    listing_id: Id, body: ListingUpdate, s: SessionDep, p: CurrentPrincipal
) -> ListingPublic:
    facts = body.facts.model_dump(exclude_none=True) if body.facts is not None else None
    listing = listings.update_facts(s, p, listing_id, body.title, facts)
    s.commit()
    return _public(s, listing)


@router.post("/{listing_id}/faqs", status_code=status.HTTP_201_CREATED, response_model=FaqPublic)
def add_faq(
    listing_id: Id, body: FaqCreate, s: SessionDep, p: CurrentPrincipal, now: NowDep
) -> FaqPublic:
    faq = listings.add_faq(s, p, listing_id, body.question, body.answer, now)
    s.commit()
    return FaqPublic.model_validate(faq)


@router.delete("/{listing_id}/faqs/{faq_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_faq(listing_id: Id, faq_id: Id, s: SessionDep, p: CurrentPrincipal) -> None:
    listings.delete_faq(s, p, listing_id, faq_id)
    s.commit()


@router.post("/{listing_id}/suggestions", response_model=list[SuggestionPublic])
def suggestions(
    listing_id: Id, body: SuggestRequest, s: SessionDep, p: CurrentPrincipal
) -> list[SuggestionPublic]:
    """FAQ answers and listing facts matching what the buyer is typing, best first."""
    return [
        SuggestionPublic.model_validate(x)
        for x in listings.suggestions(s, p, listing_id, body.text, body.limit)
    ]

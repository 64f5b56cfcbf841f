"""Sellers: registration, public card (contact hours), desk (queue, staff, saved replies,
proactive stage messages, listings)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status

from servicenorm.boundary import Instant
from servicenorm.helpdesk import (
    accounts,
    contact_hours,
    directory,
    listings,
    proactive,
    saved_replies,
)
from servicenorm.helpdesk.queue import seller_queue
from servicenorm.web.deps import ContainerDep, CurrentPrincipal, NowDep, SessionDep
from servicenorm.web.schemas.common import Id, Limit, Offset
from servicenorm.web.schemas.content import (
    ContactPublic,
    ContactUpdate,
    ListingCreate,
    ListingPublic,
    ProactivePublic,
    ProactiveUpdate,
    SavedReplyCreate,
    SavedReplyPublic,
)
from servicenorm.web.schemas.conversations import ConversationPublic, QueueItemPublic, QueuePublic
from servicenorm.web.schemas.directory import (
    AccountPublic,
    AccountWithToken,
    SellerCreate,
    SellerPublic,
    StaffCreate,
)

router = APIRouter(prefix="/sellers", tags=["sellers"])

AtQuery = Annotated[Instant | None, Query(description="evaluate at this instant (default: now)")]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SellerPublic)
def create_seller(
    body: SellerCreate, s: SessionDep, p: CurrentPrincipal, now: NowDep
) -> SellerPublic:
    seller = directory.create_seller(
        s, p, body.id, body.marketplace, body.name, body.country, body.linked_sellers, now
    )
    s.commit()
    return SellerPublic.model_validate(seller)


@router.get("", response_model=list[SellerPublic])
def list_sellers(
    s: SessionDep,
    p: CurrentPrincipal,
    marketplace: Id | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[SellerPublic]:
    return [
        SellerPublic.model_validate(x)
        for x in directory.list_sellers(s, p, marketplace, limit, offset)
    ]


@router.get("/{seller_id}", response_model=SellerPublic)
def get_seller(seller_id: Id, s: SessionDep, p: CurrentPrincipal) -> SellerPublic:
    return SellerPublic.model_validate(directory.get_seller(s, p, seller_id))


@router.get("/{seller_id}/queue", response_model=QueuePublic)
def get_queue(
    seller_id: Id,
    s: SessionDep,
    p: CurrentPrincipal,
    now: NowDep,
    at: AtQuery = None,
    limit: Limit = 100,
) -> QueuePublic:
    """Open questions by deadline, with the working time left and ok / due_soon / overdue (R2.9)."""
    t: datetime = at or now
    items = seller_queue(s, p, seller_id, t, limit)
    return QueuePublic(
        seller_id=seller_id,
        at=t,
        items=[
            QueueItemPublic(
                conversation=ConversationPublic.model_validate(i.conversation),
                deadline=i.deadline,
                working_seconds_left=int(i.working_left.total_seconds()),
                overdue_working_seconds=int(i.overdue_by.total_seconds()),
                state=i.state,
            )
            for i in items
        ],
    )


@router.get("/{seller_id}/contact", response_model=ContactPublic)
def get_contact(
    seller_id: Id, s: SessionDep, p: CurrentPrincipal, now: NowDep, at: AtQuery = None
) -> ContactPublic:
    """Published contact hours and the response time buyers can expect (R2.7)."""
    return ContactPublic.model_validate(contact_hours.card(s, p, seller_id, at or now))


@router.put("/{seller_id}/contact", response_model=ContactPublic)
def put_contact(
    seller_id: Id, body: ContactUpdate, s: SessionDep, p: CurrentPrincipal, now: NowDep
) -> ContactPublic:
    contact_hours.publish(s, p, seller_id, body.hours, body.expected_response)
    s.commit()
    return ContactPublic.model_validate(contact_hours.card(s, p, seller_id, now))


@router.post(
    "/{seller_id}/staff", status_code=status.HTTP_201_CREATED, response_model=AccountWithToken
)
def create_staff(
    seller_id: Id,
    body: StaffCreate,
    s: SessionDep,
    p: CurrentPrincipal,
    c: ContainerDep,
    now: NowDep,
) -> AccountWithToken:
    """An employee account answering on the seller's behalf (R2.3); the token is shown once."""
    acc, token = accounts.create_staff(s, p, seller_id, body.name, body.email, c.pepper, now)
    token_id = accounts.token_id_of(s, token, c.pepper)
    s.commit()
    return AccountWithToken(
        account=AccountPublic.model_validate(acc), token=token, token_id=token_id
    )


@router.get("/{seller_id}/staff", response_model=list[AccountPublic])
def list_staff(seller_id: Id, s: SessionDep, p: CurrentPrincipal) -> list[AccountPublic]:
    return [AccountPublic.model_validate(a) for a in accounts.list_staff(s, p, seller_id)]


@router.delete("/{seller_id}/staff/{account_id}", response_model=AccountPublic)
def deactivate_staff(
    seller_id: Id, account_id: Id, s: SessionDep, p: CurrentPrincipal, now: NowDep
) -> AccountPublic:
    acc = accounts.deactivate_staff(s, p, seller_id, account_id, now)
    s.commit()
    return AccountPublic.model_validate(acc)


@router.post(
    "/{seller_id}/saved-replies",
    status_code=status.HTTP_201_CREATED,
    response_model=SavedReplyPublic,
)
def create_saved_reply(
    seller_id: Id, body: SavedReplyCreate, s: SessionDep, p: CurrentPrincipal, now: NowDep
) -> SavedReplyPublic:
    """A template with variables: {buyer_name} {seller_name} {order_number} {ship_date}
    {tracking_link} (R2.4)."""
    r = saved_replies.create(s, p, seller_id, body.title, body.body, now)
    s.commit()
    return SavedReplyPublic.model_validate(r)


@router.get("/{seller_id}/saved-replies", response_model=list[SavedReplyPublic])
def list_saved_replies(seller_id: Id, s: SessionDep, p: CurrentPrincipal) -> list[SavedReplyPublic]:
    return [SavedReplyPublic.model_validate(r) for r in saved_replies.list_for(s, p, seller_id)]


@router.get("/{seller_id}/proactive", response_model=ProactivePublic)
def get_proactive(seller_id: Id, s: SessionDep, p: CurrentPrincipal) -> ProactivePublic:
    return ProactivePublic.model_validate(proactive.settings_of(s, p, seller_id))


@router.put("/{seller_id}/proactive", response_model=ProactivePublic)
def put_proactive(
    seller_id: Id, body: ProactiveUpdate, s: SessionDep, p: CurrentPrincipal
) -> ProactivePublic:
    """Stage messages on/off, per stage, and the seller's own texts per language (R2.5)."""
    stages: dict[str, tuple[bool | None, dict[str, str] | None]] = {
        k: (v.enabled, dict(v.templates) if v.templates is not None else None)
        for k, v in body.stages.items()
    }
    out = proactive.configure(s, p, seller_id, body.enabled, stages)
    s.commit()
    return ProactivePublic.model_validate(out)


@router.post(
    "/{seller_id}/listings", status_code=status.HTTP_201_CREATED, response_model=ListingPublic
)
def create_listing(
    seller_id: Id, body: ListingCreate, s: SessionDep, p: CurrentPrincipal, now: NowDep
) -> ListingPublic:
    listing = listings.create(
        s, p, seller_id, body.id, body.title, body.facts.model_dump(exclude_none=True), now
    )
    s.commit()
    return ListingPublic.model_validate(listing)

"""Buyers (created by operators; also created by ingest when an event names a new buyer)."""

from __future__ import annotations

from fastapi import APIRouter, status

from servicenorm.helpdesk import directory
from servicenorm.web.deps import CurrentPrincipal, NowDep, SessionDep
from servicenorm.web.schemas.common import Id
from servicenorm.web.schemas.directory import BuyerCreate, BuyerPublic

router = APIRouter(prefix="/buyers", tags=["buyers"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=BuyerPublic)
def create_buyer(body: BuyerCreate, s: SessionDep, p: CurrentPrincipal, now: NowDep) -> BuyerPublic:
    b = directory.create_buyer(s, p, body.id, body.marketplace, body.name, body.language, now)
    s.commit()
    return BuyerPublic.model_validate(b)


@router.get("/{buyer_id}", response_model=BuyerPublic)
def get_buyer(buyer_id: Id, s: SessionDep, p: CurrentPrincipal) -> BuyerPublic:
    return BuyerPublic.model_validate(directory.get_buyer(s, p, buyer_id))

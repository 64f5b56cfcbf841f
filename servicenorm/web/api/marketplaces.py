"""Marketplaces (operators)."""

from __future__ import annotations

from fastapi import APIRouter, status

from servicenorm.helpdesk import directory
from servicenorm.web.deps import CurrentPrincipal, NowDep, SessionDep
from servicenorm.web.schemas.common import Id
from servicenorm.web.schemas.directory import MarketplaceCreate, MarketplacePublic

router = APIRouter(prefix="/marketplaces", tags=["marketplaces"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=MarketplacePublic)
def create_marketplace(
    body: MarketplaceCreate, s: SessionDep, p: CurrentPrincipal, now: NowDep
) -> MarketplacePublic:
    m = directory.create_marketplace(s, p, body.id, body.preset, body.title, now)
    s.commit()
    return MarketplacePublic.model_validate(m)


@router.get("", response_model=list[MarketplacePublic])
def list_marketplaces(s: SessionDep, p: CurrentPrincipal) -> list[MarketplacePublic]:
    return [MarketplacePublic.model_validate(m) for m in directory.list_marketplaces(s, p)]


@router.get("/{marketplace_id}", response_model=MarketplacePublic)
def get_marketplace(marketplace_id: Id, s: SessionDep, p: CurrentPrincipal) -> MarketplacePublic:
    return MarketplacePublic.model_validate(directory.get_marketplace(s, p, marketplace_id))

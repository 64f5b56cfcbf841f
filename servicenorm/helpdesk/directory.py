"""Marketplaces, sellers and buyers: creating them and finding them as a given caller."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.access.errors import Conflict, Forbidden, Invalid, NotFound
from servicenorm.access.principal import (
    Principal,
    see_buyer,
    see_marketplace,
    see_seller_public,
)
from servicenorm.helpdesk.reply_deadlines import checked_policy
from servicenorm.helpdesk.roles import require
from servicenorm.store import eventlog
from servicenorm.store.ids import new_id
from servicenorm.store.tables import Buyer, Marketplace, Seller


def create_marketplace(
    s: Session, p: Principal, id: str, preset: str, title: str, now: datetime
) -> Marketplace:
    require(p, "create marketplaces")
    if p.marketplace_id is not None:
        raise Forbidden("an operator of one marketplace cannot create marketplaces")
    checked_policy(preset)
    if s.get(Marketplace, id) is not None:
        raise Conflict(f"marketplace {id!r} exists already", "id")
    m = Marketplace(id=id, preset=preset, title=title, created_at=now)
    s.add(m)
    s.flush()
    return m


def get_marketplace(s: Session, p: Principal, id: str) -> Marketplace:
    m = s.get(Marketplace, id)
    if m is None:
        raise NotFound(f"marketplace {id!r} not found")
    see_marketplace(p, id)
    return m


def list_marketplaces(s: Session, p: Principal) -> list[Marketplace]:
    require(p, "read marketplaces")
    q = select(Marketplace).order_by(Marketplace.id)
    if p.marketplace_id is not None:
        q = q.where(Marketplace.id == p.marketplace_id)
    return list(s.scalars(q))


def marketplace_in_scope(
    s: Session, p: Principal, id: str, field: str = "marketplace"
) -> Marketplace:
    """A marketplace named in a request body: unknown or out of scope is a 422 on that field."""
    m = s.get(Marketplace, id)
    if m is None or not (p.is_platform and p.in_marketplace(id)):
        raise Invalid(f"unknown marketplace {id!r}", field)
    return m


def create_seller(
    s: Session,
    p: Principal,
    id: str,
    marketplace: str,
    name: str,
    country: str,
    linked_sellers: list[str],
    now: datetime,
) -> Seller:
    require(p, "create sellers, buyers and accounts")
    m = marketplace_in_scope(s, p, marketplace)
    if s.get(Seller, id) is not None:
        raise Conflict(f"seller {id!r} exists already", "id")
    policy = checked_policy(m.preset)
    seller = Seller(
        id=id,
        marketplace_id=m.id,
        name=name,
        country=country.upper(),
        linked_sellers=list(linked_sellers),
        registered_at=now,
        proactive_enabled=policy.proactive_messages,
        closed=False,
    )
    s.add(seller)
    s.flush()
    # the event log holds every registration, whichever channel it came by (metric runs read it)
    eventlog.record(
        s,
        f"api-{new_id()}",
        "seller_registered",
        now,
        seller.id,
        {
            "seller": seller.id,
            "marketplace": m.id,
            "country": seller.country,
            "linked_sellers": list(seller.linked_sellers),
        },
        now,
    )
    return seller


def seller_row(s: Session, id: str) -> Seller:
    seller = s.get(Seller, id)
    if seller is None:
        raise NotFound(f"seller {id!r} not found")
    return seller


def buyer_row(s: Session, id: str) -> Buyer:
    buyer = s.get(Buyer, id)
    if buyer is None:
        raise NotFound(f"buyer {id!r} not found")
    return buyer


def caller_buyer(s: Session, p: Principal) -> Buyer | None:
    return s.get(Buyer, p.buyer_id) if p.buyer_id else None


def get_seller(s: Session, p: Principal, id: str) -> Seller:
    seller = seller_row(s, id)
    see_seller_public(p, seller, caller_buyer(s, p))
    return seller


def list_sellers(
    s: Session, p: Principal, marketplace: str | None, limit: int, offset: int
) -> list[Seller]:
    require(p, "list sellers")
    q = select(Seller).order_by(Seller.id).limit(limit).offset(offset)
    if p.marketplace_id is not None:
        q = q.where(Seller.marketplace_id == p.marketplace_id)
    if marketplace is not None:
        if not p.in_marketplace(marketplace):
            raise NotFound(f"marketplace {marketplace!r} not found")
        q = q.where(Seller.marketplace_id == marketplace)
    return list(s.scalars(q))


def create_buyer(
    s: Session,
    p: Principal,
    id: str,
    marketplace: str,
    name: str,
    language: str | None,
    now: datetime,
) -> Buyer:
    require(p, "create sellers, buyers and accounts")
    m = marketplace_in_scope(s, p, marketplace)
    if s.get(Buyer, id) is not None:
        raise Conflict(f"buyer {id!r} exists already", "id")
    buyer = Buyer(id=id, marketplace_id=m.id, name=name, language=language, created_at=now)
    s.add(buyer)
    s.flush()
    return buyer


def get_buyer(s: Session, p: Principal, id: str) -> Buyer:
    buyer = buyer_row(s, id)
    see_buyer(p, buyer)
    return buyer

"""Marketplaces, sellers, buyers, accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from servicenorm.web.schemas.common import Country, Email, Id, Language, Name, Public, Request


class MarketplaceCreate(Request):
    id: Id
    preset: str = Field(
        min_length=1,
        max_length=300,
        description="bol, etsy, ebay, swopify, or the name of a .toml file in the server's policy directory",
    )
    title: Name


class MarketplacePublic(Public):
    id: str
    preset: str
    title: str
    created_at: datetime


class SellerCreate(Request):
    id: Id
    marketplace: Id
    name: Name
    country: Country
    linked_sellers: list[Id] = Field(default_factory=list)


class SellerPublic(Public):
    id: str
    marketplace_id: str
    name: str
    country: str
    closed: bool


class BuyerCreate(Request):
    id: Id
    marketplace: Id
    name: Name
    language: Language | None = None


class BuyerPublic(Public):
    id: str
    marketplace_id: str
    name: str
    language: str | None


Role = Literal["operator", "agent", "seller", "staff", "buyer"]


class AccountCreate(Request):
    role: Role
    name: Name
    email: Email | None = None
    marketplace: Id | None = Field(
        default=None, description="operator/agent: the marketplace (none = all)"
    )
    seller: Id | None = Field(default=None, description="seller/staff: the seller")
    buyer: Id | None = Field(default=None, description="buyer: the buyer")


class StaffCreate(Request):
    name: Name
    email: Email | None = None


class AccountPublic(Public):
    id: str
    role: str
    name: str
    email: str | None
    marketplace_id: str | None
    seller_id: str | None
    buyer_id: str | None
    active: bool
    created_at: datetime


class AccountWithToken(Public):
    account: AccountPublic
    token: str = Field(description="shown once; only its hash is stored")
    token_id: str = Field(description="the token's id, to revoke it later")


class TokenPublic(Public):
    """An API token as the API shows it: never its value, only a prefix to recognise it."""

    id: str
    account_id: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


class Me(Public):
    account_id: str
    role: str
    name: str
    marketplace_id: str | None
    seller_id: str | None
    buyer_id: str | None

"""Who is calling, and what each role may see and do (docs/web.md).

Visibility and permission are separate questions: a resource the caller may not *see* is
reported as not found (404, nothing leaks), one it sees but may not change is forbidden (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from servicenorm.access.errors import Forbidden, NotFound
from servicenorm.store.tables import Buyer, Conversation, Seller

Role = Literal["operator", "agent", "seller", "staff", "buyer"]


@dataclass(frozen=True)
class Principal:
    account_id: str
    role: Role
    name: str
    marketplace_id: str | None = None  # operator/agent scope; None = the whole deployment
    seller_id: str | None = None  # seller and staff
    buyer_id: str | None = None  # buyer

    @property
    def is_platform(self) -> bool:
        return self.role in ("operator", "agent")

    def in_marketplace(self, marketplace_id: str) -> bool:
        return self.marketplace_id is None or self.marketplace_id == marketplace_id


def see_marketplace(p: Principal, marketplace_id: str) -> None:
    if p.is_platform and p.in_marketplace(marketplace_id):
        return
    raise NotFound(f"marketplace {marketplace_id!r} not found")


def see_seller_public(p: Principal, seller: Seller, buyer: Buyer | None = None) -> None:
    """A seller's public face (name, contact hours, listings): anyone in its marketplace."""
    if p.is_platform and p.in_marketplace(seller.marketplace_id):
        return
    if p.seller_id == seller.id:
        return
    if p.role == "buyer" and buyer is not None and buyer.marketplace_id == seller.marketplace_id:
        return
    raise NotFound(f"seller {seller.id!r} not found")


def work_seller(p: Principal, seller: Seller) -> None:
    """The seller's desk (conversations, queue, saved replies): the seller, its staff, the
    platform."""
    work_seller_of(p, seller.id, seller.marketplace_id)


def work_seller_of(p: Principal, seller_id: str, marketplace_id: str) -> None:
    """`work_seller` by the seller's id and marketplace (no row needed)."""
    if p.seller_id == seller_id or (p.is_platform and p.in_marketplace(marketplace_id)):
        return
    if p.role == "buyer":
        raise Forbidden("buyers cannot see a seller's desk")
    raise NotFound(f"seller {seller_id!r} not found")


def manage_seller(p: Principal, seller: Seller) -> None:
    """Settings, staff and content of a seller: the seller itself or an operator."""
    work_seller(p, seller)
    if p.role == "seller" or p.role == "operator":
        return
    raise Forbidden(f"a {p.role} cannot change seller settings")


def see_buyer(p: Principal, buyer: Buyer) -> None:
    if p.buyer_id == buyer.id or (p.is_platform and p.in_marketplace(buyer.marketplace_id)):
        return
    raise NotFound(f"buyer {buyer.id!r} not found")


def see_conversation(p: Principal, conv: Conversation, seller: Seller) -> None:
    see_conversation_of(p, conv.id, conv.buyer_id, conv.seller_id, seller.marketplace_id)


def see_conversation_of(
    p: Principal, conversation_id: str, buyer_id: str, seller_id: str, marketplace_id: str
) -> None:
    """`see_conversation` by the conversation's parties (no rows needed)."""
    if p.role == "buyer" and p.buyer_id == buyer_id:
        return
    if p.role in ("seller", "staff") and p.seller_id == seller_id:
        return
    if p.is_platform and p.in_marketplace(marketplace_id):
        return
    raise NotFound(f"conversation {conversation_id!r} not found")


def require_role(p: Principal, *roles: Role) -> None:
    if p.role not in roles:
        raise Forbidden(f"this needs the role {' or '.join(roles)}, not {p.role}")

"""The stored event log of one marketplace, as the metrics engine reads it.

The helpdesk stores every ingested event (and the questions and replies posted through the
API) in `events`. A metric run selects sellers by the policy's name, while a store
marketplace has its own id, and sellers created through the API have no
`seller_registered` event: so registrations are written from the `sellers` rows, under the
policy's name, and every other event of those sellers is taken as stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicenorm.events import EventLog, events_from_objects
from servicenorm.store.tables import EventRow, Marketplace, Seller


@dataclass(frozen=True)
class Version:
    """Changes whenever an event of the marketplace is added (a cache key)."""

    events: int
    last_received: datetime | None
    sellers: int


def version(s: Session, market: Marketplace) -> Version:
    n, last = s.execute(
        select(func.count(EventRow.id), func.max(EventRow.received_at))
        .join(Seller, Seller.id == EventRow.seller_id)
        .where(Seller.marketplace_id == market.id)
    ).one()
    sellers = s.scalar(select(func.count(Seller.id)).where(Seller.marketplace_id == market.id)) or 0
    return Version(int(n or 0), last, int(sellers))


def registrations(sellers: list[Seller], policy_name: str) -> list[dict[str, Any]]:
    return [
        {"id": f"store-seller:{x.id}", "type": "seller_registered", "at": x.registered_at.isoformat(),
         "seller": x.id, "marketplace": policy_name, "country": x.country,
         "linked_sellers": list(x.linked_sellers or [])}
        for x in sellers
    ]


def marketplace_log(s: Session, market: Marketplace, policy_name: str) -> EventLog:
    sellers = list(s.scalars(select(Seller).where(Seller.marketplace_id == market.id).order_by(Seller.id)))
    payloads = s.scalars(
        select(EventRow.payload)
        .join(Seller, Seller.id == EventRow.seller_id)
        .where(Seller.marketplace_id == market.id, EventRow.type != "seller_registered")
        .order_by(EventRow.at, EventRow.id)
    )
    return events_from_objects([*registrations(sellers, policy_name), *payloads], source=f"store:{market.id}")

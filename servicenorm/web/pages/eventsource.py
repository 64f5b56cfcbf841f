"""The stored event log of one marketplace, as the metrics engine reads it.

The helpdesk stores every ingested event (and the questions and replies posted through the
API) in `events`; `servicenorm.enforce.loader.load_log` reads them for the metrics, and this
module adds the cache key that says when to read them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicenorm.enforce.loader import load_log
from servicenorm.events import EventLog
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


def marketplace_log(s: Session, market: Marketplace) -> EventLog:
    """Everything the store knows of the marketplace (the enforcement loader, without as-of)."""
    return load_log(s, market.id)

"""The store's event log as an `EventLog` for metric runs: every fact of a marketplace's
sellers (and the facts that name no seller, such as a case being closed) up to an instant.

Sellers created through the API have no `seller_registered` event; one is derived from the
seller row so that the metrics see them too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from servicenorm.events import EventLog, events_from_objects
from servicenorm.store.tables import EventRow, Seller


def load_log(s: Session, marketplace: str, as_of: datetime, types: Sequence[str] | None = None) -> EventLog:
    sellers = list(s.scalars(select(Seller).where(Seller.marketplace_id == marketplace)))
    ids = [x.id for x in sellers]
    q = select(EventRow.payload, EventRow.type, EventRow.seller_id).where(
        EventRow.at <= as_of, or_(EventRow.seller_id.in_(ids), EventRow.seller_id.is_(None)))
    if types is not None:
        q = q.where(EventRow.type.in_(list(types)))
    q = q.order_by(EventRow.at, EventRow.id)
    objects: list[dict[str, Any]] = []
    registered: set[str] = set()
    for payload, kind, seller_id in s.execute(q):
        objects.append(payload)
        if kind == "seller_registered" and seller_id:
            registered.add(seller_id)
    if types is None or "seller_registered" in types:
        for x in sellers:
            if x.id not in registered and x.registered_at <= as_of:
                objects.insert(0, {"id": f"store-seller-{x.id}", "type": "seller_registered",
                                   "at": x.registered_at.isoformat(), "seller": x.id, "marketplace": marketplace,
                                   "country": x.country, "linked_sellers": list(x.linked_sellers or [])})
    return events_from_objects(objects, source=f"store:{marketplace}")

"""The store's event log as an `EventLog` for metric runs: every fact of a marketplace's
sellers (and the facts that name no seller, such as a case being closed) up to an instant.

One loader for enforcement and the pages. A metric run selects sellers by the policy's name,
while a store marketplace has its own id (`shop-nl` on preset `bol`), and sellers created
through the API have no `seller_registered` event: registrations are therefore written
under the policy's name, from the stored event where there is one, else from the seller row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from servicenorm.events import EventLog, events_from_objects
from servicenorm.policy.stored import policy_for
from servicenorm.store.tables import EventRow, Marketplace, Seller


def load_log(
    s: Session,
    marketplace: str,
    as_of: datetime | None = None,
    types: Sequence[str] | None = None,
    sellers: Sequence[str] | None = None,
) -> EventLog:
    """The marketplace's log up to `as_of`; with `types`, those kinds of event only; with
    `sellers`, those sellers' events only (and the facts that name no seller)."""
    market = s.get(Marketplace, marketplace)
    if market is None:
        raise LookupError(f"no marketplace {marketplace!r} in the store")
    policy_name = policy_for(market.preset).name
    q_sellers = select(Seller).where(Seller.marketplace_id == marketplace)
    if sellers is not None:
        q_sellers = q_sellers.where(Seller.id.in_(list(sellers)))
    rows = list(s.scalars(q_sellers.order_by(Seller.id)))
    # The sellers as a subquery, not a list of ids: a marketplace of 47,000 sellers would bind
    # more parameters than SQLite accepts (32,766).
    q = select(EventRow.payload, EventRow.type, EventRow.seller_id).where(
        or_(
            EventRow.seller_id.in_(q_sellers.with_only_columns(Seller.id)),
            EventRow.seller_id.is_(None),
        )
    )
    if as_of is not None:
        q = q.where(EventRow.at <= as_of)
    if types is not None:
        q = q.where(EventRow.type.in_(list(types)))
    q = q.order_by(EventRow.at, EventRow.id)
    objects: list[dict[str, Any]] = []
    registered: set[str] = set()
    for payload, kind, seller_id in s.execute(q):
        if kind == "seller_registered":
            payload = {**payload, "marketplace": policy_name}
            if seller_id:
                registered.add(seller_id)
        objects.append(payload)
    if types is None or "seller_registered" in types:
        derived = [
            {
                "id": f"store-seller:{x.id}",
                "type": "seller_registered",
                "at": x.registered_at.isoformat(),
                "seller": x.id,
                "marketplace": policy_name,
                "country": x.country,
                "linked_sellers": list(x.linked_sellers or []),
            }
            for x in rows
            if x.id not in registered and (as_of is None or x.registered_at <= as_of)
        ]
        objects = derived + objects
    return events_from_objects(objects, source=f"store:{marketplace}")

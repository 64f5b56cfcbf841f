"""Orders as seen through the helpdesk, and the seller telling the buyer about a delay."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from servicenorm.access.errors import Forbidden, NotFound
from servicenorm.access.principal import Principal, work_seller
from servicenorm.helpdesk import projection
from servicenorm.helpdesk.directory import seller_row
from servicenorm.helpdesk.projection.records import MessageRec
from servicenorm.helpdesk.roles import require
from servicenorm.store.ids import new_id
from servicenorm.store.tables import Order


def get_order(s: Session, p: Principal, order_id: str) -> Order:
    order = s.get(Order, order_id)
    if order is None:
        raise NotFound(f"order {order_id!r} not found")
    if p.role == "buyer":
        if p.buyer_id != order.buyer_id:
            raise NotFound(f"order {order_id!r} not found")
        return order
    try:
        work_seller(p, seller_row(s, order.seller_id))
    except (Forbidden, NotFound):
        raise NotFound(f"order {order_id!r} not found") from None
    return order


def announce_delay(
    s: Session, p: Principal, order_id: str, ship_by: datetime, now: datetime
) -> MessageRec | None:
    """A problem stage message (R2.5: tell the buyer about a delay) with the new ship date,
    through the one projector and writer (the order item's ship-by moves with it)."""
    get_order(s, p, order_id)
    require(p, "announce an order's delay")
    return projection.delay(s, p, order_id, ship_by, f"delay-{new_id()}", now)

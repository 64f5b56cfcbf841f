"""Orders (created by ingest) and delay notices to the buyer (R2.5 'a problem')."""

from __future__ import annotations

from fastapi import APIRouter

from servicenorm.helpdesk import orders
from servicenorm.web.deps import CurrentPrincipal, NowDep, SessionDep
from servicenorm.web.schemas.common import Id
from servicenorm.web.schemas.content import DelayCreate, OrderPublic
from servicenorm.web.schemas.conversations import MessagePublic

router = APIRouter(prefix="/orders", tags=["orders"])


@router.get("/{order_id}", response_model=OrderPublic)
def get_order(order_id: Id, s: SessionDep, p: CurrentPrincipal) -> OrderPublic:
    return OrderPublic.model_validate(orders.get_order(s, p, order_id))


@router.post("/{order_id}/delay", response_model=MessagePublic | None)
def announce_delay(
    order_id: Id, body: DelayCreate, s: SessionDep, p: CurrentPrincipal, now: NowDep
) -> MessagePublic | None:
    """Move the ship-by date and tell the buyer (the stage message; null when the seller has it off)."""
    m = orders.announce_delay(s, p, order_id, body.ship_by, now)
    s.commit()
    return MessagePublic.model_validate(m) if m is not None else None

"""Orders as the helpdesk knows them: enough for saved-reply variables and stage messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from servicenorm.store.base import Base
from servicenorm.store.types import Instant


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    buyer_id: Mapped[str] = mapped_column(ForeignKey("buyers.id"), index=True)
    placed_at: Mapped[datetime] = mapped_column(Instant)
    ship_by: Mapped[datetime] = mapped_column(Instant)
    category: Mapped[str] = mapped_column(String(200))
    amount: Mapped[str] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3))
    shipped_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    tracking: Mapped[str | None] = mapped_column(String(200), nullable=True)
    scanned_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)

    # the order is its own evidence item (shipping, question rate): a seller's window is one
    # range; shipped, scanned and cancelled keep the earliest such event (as `evaluate`). Orders
    # neither shipped nor cancelled are read one by one (pending or late is a matter of time)
    __table_args__ = (
        Index("ix_orders_seller_placed", "seller_id", "placed_at"),
        Index(  # open orders by ship-by: those a round finds late since the last one
            "ix_orders_open_due",
            "ship_by",
            sqlite_where=shipped_at.is_(None) & cancelled_at.is_(None),
            postgresql_where=shipped_at.is_(None) & cancelled_at.is_(None),
        ),
        Index(
            "ix_orders_open_seller",
            "seller_id",
            "placed_at",
            sqlite_where=shipped_at.is_(None) & cancelled_at.is_(None),
            postgresql_where=shipped_at.is_(None) & cancelled_at.is_(None),
        ),
    )

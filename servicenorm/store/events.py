"""The raw event log: every accepted event once, keyed by its id (idempotent ingest)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from servicenorm.store.base import Base
from servicenorm.store.types import Document, Instant

STATUS_TYPES = ("phone_hours_set", "shop_closed", "shop_reopened")


class EventRow(Base):
    __tablename__ = "events"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(Instant)
    seller_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(Document)
    received_at: Mapped[datetime] = mapped_column(Instant)

    __table_args__ = (
        Index("ix_events_type_at", "type", "at"),
        Index("ix_events_seller_at", "seller_id", "at"),
        # what arrived since an enforcement round's watermark (enforce/round_marks.py)
        Index("ix_events_received_at", "received_at"),
        # a seller's phone hours and shop status over time, for judging its call attempts
        Index(
            "ix_events_seller_status",
            "seller_id",
            "at",
            sqlite_where=type.in_(STATUS_TYPES),
            postgresql_where=type.in_(STATUS_TYPES),
        ),
    )

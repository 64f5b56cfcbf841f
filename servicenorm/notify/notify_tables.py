"""The outbox and the banners.

An e-mail is first a row in `notify_outbox`, written in the same transaction as the action
that causes it; the sender delivers it later (docs/web.md: a mail server that is down loses
nothing). `key` is unique, so the same notification can never be queued twice. The sender
claims a row by compare-and-set (pending -> sending, with a lease), so two senders never
deliver the same row; a crash while sending leaves a lease that expires and is retried.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servicenorm.store.base import Base
from servicenorm.store.types import Document, Instant


class OutboxMessage(Base):
    __tablename__ = "notify_outbox"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    seller_id: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    to_addr: Mapped[str | None] = mapped_column(
        String(320), nullable=True
    )  # None: the seller's address at send time
    template: Mapped[str] = mapped_column(String(60))
    locale: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    context: Mapped[dict[str, Any]] = mapped_column(Document, default=dict)
    at: Mapped[datetime] = mapped_column(Instant)  # logical time of the cause
    created_at: Mapped[datetime] = mapped_column(Instant)
    state: Mapped[str] = mapped_column(
        String(10), default="pending"
    )  # pending, sending, sent, failed, cancelled (withdrawn by an operator)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(Instant)
    lease_until: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (Index("ix_notify_outbox_due", "state", "next_attempt_at"),)


class Banner(Base):
    """A message on the seller's performance or badge page, from `start_at` until cleared or
    `end_at`."""

    __tablename__ = "notify_banners"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    seller_id: Mapped[str] = mapped_column(String(100))
    page: Mapped[str] = mapped_column(String(20))  # performance, badge
    level: Mapped[str] = mapped_column(String(10))  # info, warning, danger
    template: Mapped[str] = mapped_column(String(60))
    context: Mapped[dict[str, Any]] = mapped_column(Document, default=dict)
    start_at: Mapped[datetime] = mapped_column(Instant)
    end_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    cleared_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(Instant)

    __table_args__ = (Index("ix_notify_banners_seller", "seller_id", "start_at"),)


__all__ = ["Banner", "OutboxMessage"]

"""Who is in the system: marketplaces, their sellers and buyers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from servicenorm.store.base import Base
from servicenorm.store.types import Document, Instant


class Marketplace(Base):
    __tablename__ = "marketplaces"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    preset: Mapped[str] = mapped_column(String(300))  # a shipped preset name or a policy file
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(Instant)


class Seller(Base):
    __tablename__ = "sellers"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    marketplace_id: Mapped[str] = mapped_column(ForeignKey("marketplaces.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    linked_sellers: Mapped[list[str]] = mapped_column(Document, default=list)
    registered_at: Mapped[datetime] = mapped_column(Instant)
    proactive_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # R2.7: published contact hours (weekly intervals in the policy zone) and promise
    contact_hours: Mapped[dict[str, Any] | None] = mapped_column(Document, nullable=True)
    expected_response: Mapped[str | None] = mapped_column(String(20), nullable=True)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)  # vacation mode (R4.7)
    # the seller's own choice of language for its pages and e-mails (None: by its country)
    language: Mapped[str | None] = mapped_column(String(2), nullable=True, default=None)


class Buyer(Base):
    __tablename__ = "buyers"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    marketplace_id: Mapped[str] = mapped_column(ForeignKey("marketplaces.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(2), nullable=True)
    created_at: Mapped[datetime] = mapped_column(Instant)

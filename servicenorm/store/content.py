"""Seller-authored content: saved replies, proactive stage templates, listings and FAQs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from servicenorm.store.base import Base
from servicenorm.store.types import Document, Instant


class SavedReply(Base):
    __tablename__ = "saved_replies"
    __table_args__ = (UniqueConstraint("seller_id", "title", name="uq_saved_replies_seller_title"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Instant)
    updated_at: Mapped[datetime] = mapped_column(Instant)


class ProactiveStage(Base):
    """A seller's choice for one transaction stage: on/off and its own templates per language."""

    __tablename__ = "proactive_stages"

    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(20), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    templates: Mapped[dict[str, str]] = mapped_column(Document, default=dict)


class Listing(Base):
    __tablename__ = "listings"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    facts: Mapped[dict[str, Any]] = mapped_column(Document, default=dict)
    created_at: Mapped[datetime] = mapped_column(Instant)


class Faq(Base):
    __tablename__ = "listing_faqs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    listing_id: Mapped[str] = mapped_column(ForeignKey("listings.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Instant)

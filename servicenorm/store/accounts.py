"""Accounts (one per person or system using the API) and their API tokens, hashed at rest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from servicenorm.store.base import Base
from servicenorm.store.types import Instant

ROLES = ("operator", "agent", "seller", "staff", "buyer")


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("role IN ('operator','agent','seller','staff','buyer')", name="role"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    # operator/agent: the marketplace they work for (None = every marketplace of the deployment)
    marketplace_id: Mapped[str | None] = mapped_column(ForeignKey("marketplaces.id"), nullable=True)
    seller_id: Mapped[str | None] = mapped_column(
        ForeignKey("sellers.id"), nullable=True, index=True
    )
    buyer_id: Mapped[str | None] = mapped_column(ForeignKey("buyers.id"), nullable=True, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(Instant)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    # HMAC-SHA256 of the token under the deployment's pepper: a stolen database yields no token
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # first characters, to recognise a token
    created_at: Mapped[datetime] = mapped_column(Instant)
    revoked_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)


class WebSession(Base):
    """A page login: the cookie holds a random session id, the table only its HMAC. It ends
    at `expires_at`, at logout (`revoked_at`), and with the token it was opened with or the
    account (a revoked token or a deactivated account ends its sessions too)."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    token_id: Mapped[str] = mapped_column(ForeignKey("api_tokens.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(Instant)
    expires_at: Mapped[datetime] = mapped_column(Instant)
    revoked_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)

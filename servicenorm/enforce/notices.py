"""What the seller is told: e-mails (through the outbox) and banners, in the seller's language.

Keys are derived from the cause (seller, action, week, transition time), so a second run of
the same evaluation queues nothing new.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from servicenorm.notify.banners import Level, Page, post_banner
from servicenorm.notify.outbox import enqueue
from servicenorm.notify.templates import locale_for
from servicenorm.policy import Policy


@dataclass(frozen=True)
class Recipient:
    seller_id: str
    name: str
    country: str | None
    language: str | None = None  # the seller's own choice


def recipient(s: Session, seller_id: str, fallback_country: str | None = None) -> Recipient:
    """The seller as the helpdesk store knows it (name, country), else what the caller knows."""
    from servicenorm.store.tables import Seller

    row = s.get(Seller, seller_id)
    if row is None:
        return Recipient(seller_id, seller_id, fallback_country)
    return Recipient(seller_id, row.name, row.country, row.language)


@dataclass
class Notifier:
    """Queues the notifications of one unit of work and counts them."""

    s: Session
    policy: Policy
    now: datetime
    countries: Mapping[str, str] | None = None
    emails: int = 0
    banners: int = 0

    def _who(self, seller_id: str) -> tuple[Recipient, str]:
        r = recipient(self.s, seller_id, (self.countries or {}).get(seller_id))
        p = self.policy
        return r, locale_for(r.country, p.moderation.languages, r.language, p.language)

    def locale_of(self, seller_id: str) -> tuple[Recipient, str]:
        """The seller and the language it is written to in."""
        return self._who(seller_id)

    def mail(
        self, key: str, seller_id: str, template: str, at: datetime, context: Mapping[str, Any]
    ) -> bool:
        r, locale = self._who(seller_id)
        ctx = {"seller": r.name, "marketplace": self.policy.title, "at": at.isoformat(), **context}
        row = enqueue(
            self.s,
            key=f"{self.policy.name}:{key}",
            template=template,
            locale=locale,
            context=ctx,
            at=at,
            now=self.now,
            seller_id=seller_id,
        )
        self.emails += row is not None
        return row is not None

    def banner(
        self,
        key: str,
        seller_id: str,
        template: str,
        at: datetime,
        context: Mapping[str, Any],
        *,
        page: Page = "performance",
        level: Level = "warning",
        end: datetime | None = None,
    ) -> bool:
        row = post_banner(
            self.s,
            key=f"{self.policy.name}:{key}",
            seller_id=seller_id,
            page=page,
            level=level,
            template=template,
            context=dict(context),
            start=at,
            now=self.now,
            end=end,
        )
        self.banners += row is not None
        return row is not None


def finding_dict(norm: str, value: float, threshold: float, detail: str = "") -> dict[str, Any]:
    return {"norm": norm, "value": value, "threshold": threshold, "detail": detail}

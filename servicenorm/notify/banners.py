"""Banners on the seller's performance and badge pages (docs/enforcement.md, R4.5).

A banner is stored with its template and figures and rendered in the reader's language when
shown. `key` makes posting idempotent; clearing is stamped with its logical time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from servicenorm.notify.notify_tables import Banner
from servicenorm.notify.templates import render_banner
from servicenorm.store.ids import new_id
from servicenorm.store.once import insert_once

Page = Literal["performance", "badge"]
Level = Literal["info", "warning", "danger"]


def post_banner(
    s: Session,
    *,
    key: str,
    seller_id: str,
    page: Page,
    level: Level,
    template: str,
    context: Mapping[str, Any],
    start: datetime,
    now: datetime,
    end: datetime | None = None,
) -> Banner | None:
    """Show a banner from `start` (until `end`, or until cleared); None if posted already."""
    render_banner(
        template, "en", context
    )  # a banner that cannot render fails here, not on the page
    if s.scalar(select(Banner.id).where(Banner.key == key)) is not None:
        return None
    row = Banner(
        id=new_id(),
        key=key,
        seller_id=seller_id,
        page=page,
        level=level,
        template=template,
        context=dict(context),
        start_at=start,
        end_at=end,
        recorded_at=now,
    )
    if not insert_once(s, row):
        return None
    return row


def clear_banners(s: Session, seller_id: str, key_prefix: str, at: datetime) -> int:
    """Clear the seller's shown banners whose key starts with `key_prefix` (compare-and-set)."""
    res = s.execute(
        update(Banner)
        .where(
            Banner.seller_id == seller_id,
            Banner.key.startswith(key_prefix, autoescape=True),
            Banner.cleared_at.is_(None),
        )
        .values(cleared_at=at)
        .execution_options(synchronize_session=False)
    )
    return int(res.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ShownBanner:
    id: str
    page: str
    level: str
    text: str
    template: str
    start: datetime
    end: datetime | None


def banners_for(
    s: Session, seller_id: str, at: datetime, locale: str, page: Page | None = None
) -> list[ShownBanner]:
    """The banners a seller sees at `at`, newest first, in `locale`."""
    q = select(Banner).where(
        Banner.seller_id == seller_id,
        Banner.start_at <= at,
        or_(Banner.end_at.is_(None), Banner.end_at > at),
        or_(Banner.cleared_at.is_(None), Banner.cleared_at > at),
    )
    if page is not None:
        q = q.where(Banner.page == page)
    rows = s.scalars(q.order_by(Banner.start_at.desc(), Banner.id)).all()
    return [
        ShownBanner(
            b.id,
            b.page,
            b.level,
            render_banner(b.template, locale, b.context),
            b.template,
            b.start_at,
            b.end_at,
        )
        for b in rows
    ]

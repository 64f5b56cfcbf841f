"""What enforcement tells the pages: banners, restrictions in force and badges for a seller;
actions taken and work pending for the operator.

The pages only display. Enforcement (`servicenorm.enforce`) and notifications
(`servicenorm.notify`) decide and record; this module reads their rows through their own
functions. Both are part of the package and their tables of every store (`bootstrap` migrates
to all heads), so nothing here is optional: where nothing was recorded the pages say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from servicenorm.enforce import actions as enforce_actions
from servicenorm.enforce import badges as enforce_badges
from servicenorm.enforce.enforce_tables import Action, Takeover
from servicenorm.enforce.performance import performance
from servicenorm.notify import banners as notify_banners
from servicenorm.notify import templates as notify_templates
from servicenorm.notify.notify_tables import OutboxMessage
from servicenorm.policy import Policy
from servicenorm.store.keylists import parts
from servicenorm.web.i18n import texts

BannerKind = Literal["restriction", "warning", "info", "badge"]
# most severe first: a restriction in force, then warnings, then information and the badge
SEVERITY: dict[str, int] = {"restriction": 0, "warning": 1, "info": 2, "badge": 3}


@dataclass(frozen=True)
class Banner:
    kind: BannerKind
    title: str  # an action or badge name; "" for a notice
    text: str
    start: datetime | None = None
    end: datetime | None = None  # None: until lifted (restrictions) or open-ended


@dataclass(frozen=True)
class ActionRow:
    seller: str
    action: str  # its label in the reader's language
    reason: str
    state: str  # active, lifted, expired, done
    start: datetime | None = None
    end: datetime | None = None
    id: str = ""
    kind: str = ""  # restrict_search, notify, ... (for forms, never shown)


@dataclass(frozen=True)
class PendingRow:
    seller: str
    kind: Literal["takeover", "email"]
    what: str  # the takeover's trigger or the e-mail's subject, in words
    state: str  # queued, assigned (takeovers); pending, sending, failed (e-mails)
    since: datetime | None = None
    id: str = ""
    attempts: int = 0
    next_attempt: datetime | None = None
    error: str = ""


def label(lang: str, group: str, key: str) -> str:
    """Notification's label of an enforcement key (norm, action, trigger, badge_reason...) in
    `lang`: the pages never show the internal name."""
    return notify_templates.label(lang, group, key)


def seller_banners(s: Session, seller_id: str, now: datetime, lang: str) -> list[Banner]:
    """Notices posted for the seller, restrictions in force, and the badge's state; the most
    severe first, then the newest. A notice posted as information reads as information."""
    out: list[Banner] = []
    for b in notify_banners.banners_for(s, seller_id, now, lang):
        if b.template.startswith("restriction"):
            continue  # shown below from the restriction itself, with its reason, while in force
        kind: BannerKind = (
            "badge"
            if b.page == "badge"
            else "restriction"
            if b.level == "danger"
            else "info"
            if b.level == "info"
            else "warning"
        )
        out.append(Banner(kind, "", b.text, b.start, b.end))
    for a in enforce_actions.in_force(s, now, [seller_id]):
        out.append(
            Banner("restriction", label(lang, "action", a.kind), a.reason, a.start_at, a.end_at)
        )
    if not any(b.kind == "badge" for b in out):
        for row in enforce_badges.badges_of(s, seller_id):
            if row.status in ("awarded", "removed"):
                text = texts(lang)(f"banner.badge_{row.status}")
                if row.reason is not None:
                    text = f"{text} ({label(lang, 'badge_reason', row.reason)})"
                out.append(Banner("badge", row.badge, text, row.since, row.pause_until))
    return sort_banners(out)


def sort_banners(banners: list[Banner]) -> list[Banner]:
    """By severity (restrictions, warnings, information, the badge), then newest first."""
    newest = sorted(
        banners, key=lambda b: b.start or datetime.min.replace(tzinfo=UTC), reverse=True
    )
    return sorted(newest, key=lambda b: SEVERITY[b.kind])  # stable: newest first within a kind


def performance_score(entry: dict[str, Any] | None, policy: Policy) -> float | None:
    """The share of the norms in the score that the seller meets (enforcement's page data)."""
    if entry is None:
        return None
    score = performance(entry, policy)["score"]
    return None if score is None else float(score)


Sellers = list[str] | Select[Any]  # ids, or a query of them (a marketplace's sellers)


def _parts(ids: Sellers) -> list[list[str]] | list[Select[Any]]:
    if isinstance(ids, Select):
        return [ids]
    return parts(ids)


def actions(s: Session, seller_ids: Sellers, lang: str = "en", limit: int = 200) -> list[ActionRow]:
    """Actions taken against these sellers, newest first."""
    if isinstance(seller_ids, list) and not seller_ids:
        return []
    rows = sorted(
        (
            r
            for part in _parts(seller_ids)
            for r in s.scalars(
                select(Action)
                .where(Action.seller_id.in_(part))
                .order_by(Action.start_at.desc(), Action.id)
                .limit(limit)
            )
        ),
        key=lambda r: (-r.start_at.timestamp(), r.id),
    )[:limit]
    return [
        ActionRow(
            r.seller_id,
            label(lang, "action", r.kind),
            r.reason,
            r.state,
            r.start_at,
            r.end_at,
            r.id,
            r.kind,
        )
        for r in rows
    ]


def pending(
    s: Session, seller_ids: Sellers, lang: str = "en", limit: int = 200
) -> list[PendingRow]:
    """Work not done yet: conversations taken over and waiting for an agent, and
    notifications the outbox has not delivered."""
    out: list[PendingRow] = []
    if isinstance(seller_ids, list) and not seller_ids:
        return out
    takeovers = sorted(
        (
            t
            for part in _parts(seller_ids)
            for t in s.scalars(
                select(Takeover)
                .where(Takeover.seller_id.in_(part), Takeover.state != "resolved")
                .order_by(Takeover.at)
                .limit(limit)
            )
        ),
        key=lambda t: t.at,
    )[:limit]
    for t in takeovers:
        out.append(
            PendingRow(
                t.seller_id, "takeover", label(lang, "trigger", t.trigger), t.state, t.at, t.id
            )
        )
    mails = sorted(
        (
            o
            for part in _parts(seller_ids)
            for o in s.scalars(
                select(OutboxMessage)
                .where(
                    OutboxMessage.seller_id.in_(part),
                    OutboxMessage.state.in_(("pending", "sending", "failed")),
                )
                .order_by(OutboxMessage.at)
                .limit(limit)
            )
        ),
        key=lambda o: o.at,
    )[:limit]
    for o in mails:
        out.append(
            PendingRow(
                o.seller_id or "",
                "email",
                o.subject,
                o.state,
                o.at,
                o.id,
                o.attempts,
                o.next_attempt_at,
                o.last_error or "",
            )
        )
    return out

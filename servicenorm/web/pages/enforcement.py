"""What enforcement tells the pages: banners, restrictions in force and badges for a seller;
actions taken and work pending for the operator.

The pages only display. Enforcement (`servicenorm.enforce`) and notifications
(`servicenorm.notify`) decide and record; this module reads their rows through their own
functions. Where a package or its tables are not there (a deployment without the
enforcement migration, a store of the helpdesk alone) it returns nothing, and the pages say
that no action was recorded rather than show invented ones.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any, Literal

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from servicenorm.web.i18n import texts

log = logging.getLogger(__name__)
BannerKind = Literal["warning", "restriction", "badge"]


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
    templates = optional_module("servicenorm.notify.templates")
    if templates is None:
        return key.replace("_", " ")
    return str(templates.label(lang, group, key))


def optional_module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError as e:
        if isinstance(e, ModuleNotFoundError) and e.name is not None and name.startswith(e.name):
            return None  # not installed: nothing to show
        log.warning("pages: %s cannot be imported (%s); its notices are not shown", name, e)
        return None


def _has_tables(s: Session, *names: str) -> bool:
    insp = inspect(s.connection())
    return all(insp.has_table(n) for n in names)


def seller_banners(s: Session, seller_id: str, now: datetime, lang: str) -> list[Banner]:
    """Notices posted for the seller, restrictions in force, and the badge's state."""
    out: list[Banner] = []
    notify = optional_module("servicenorm.notify.banners")
    if notify is not None and _has_tables(s, "notify_banners"):
        for b in notify.banners_for(s, seller_id, now, lang):
            if b.template.startswith("restriction"):
                continue  # shown below from the restriction itself, with its reason, while in force
            kind: BannerKind = (
                "badge"
                if b.page == "badge"
                else "restriction"
                if b.level == "danger"
                else "warning"
            )
            out.append(Banner(kind, "", b.text, b.start, b.end))
    actions = optional_module("servicenorm.enforce.actions")
    if actions is not None and _has_tables(s, "enforce_actions"):
        for a in actions.in_force(s, now, [seller_id]):
            out.append(
                Banner("restriction", label(lang, "action", a.kind), a.reason, a.start_at, a.end_at)
            )
    badges = optional_module("servicenorm.enforce.badges")
    if (
        badges is not None
        and _has_tables(s, "enforce_badges")
        and not any(b.kind == "badge" for b in out)
    ):
        for row in badges.badges_of(s, seller_id):
            if row.status in ("awarded", "removed"):
                t = texts(lang)
                text = t(f"banner.badge_{row.status}")
                if row.reason is not None:
                    text = f"{text} ({label(lang, 'badge_reason', row.reason)})"
                out.append(Banner("badge", row.badge, text, row.since, row.pause_until))
    return out


def performance_score(entry: dict[str, Any] | None, policy: Any) -> float | None:
    """The share of the norms in the score that the seller meets (enforcement's page data)."""
    perf = optional_module("servicenorm.enforce.performance")
    if perf is None or entry is None:
        return None
    score = perf.performance(entry, policy)["score"]
    return None if score is None else float(score)


def actions(
    s: Session, seller_ids: list[str], lang: str = "en", limit: int = 200
) -> list[ActionRow]:
    """Actions taken against these sellers, newest first."""
    tables = optional_module("servicenorm.enforce.tables")
    if tables is None or not seller_ids or not _has_tables(s, "enforce_actions"):
        return []
    a: Any = tables.Action
    rows = s.scalars(
        select(a).where(a.seller_id.in_(seller_ids)).order_by(a.start_at.desc(), a.id).limit(limit)
    )
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
    s: Session, seller_ids: list[str], lang: str = "en", limit: int = 200
) -> list[PendingRow]:
    """Work not done yet: conversations taken over and waiting for an agent, and
    notifications the outbox has not delivered."""
    out: list[PendingRow] = []
    if not seller_ids:
        return out
    tables = optional_module("servicenorm.enforce.tables")
    if tables is not None and _has_tables(s, "enforce_takeovers"):
        t: Any = tables.Takeover
        for r in s.scalars(
            select(t)
            .where(t.seller_id.in_(seller_ids), t.state != "resolved")
            .order_by(t.at)
            .limit(limit)
        ):
            out.append(
                PendingRow(
                    r.seller_id, "takeover", label(lang, "trigger", r.trigger), r.state, r.at, r.id
                )
            )
    notify = optional_module("servicenorm.notify.tables")
    if notify is not None and _has_tables(s, "notify_outbox"):
        o: Any = notify.OutboxMessage
        for r in s.scalars(
            select(o)
            .where(o.seller_id.in_(seller_ids), o.state.in_(("pending", "sending", "failed")))
            .order_by(o.at)
            .limit(limit)
        ):
            out.append(
                PendingRow(
                    r.seller_id or "",
                    "email",
                    r.subject,
                    r.state,
                    r.at,
                    r.id,
                    r.attempts,
                    r.next_attempt_at,
                    r.last_error or "",
                )
            )
    return out

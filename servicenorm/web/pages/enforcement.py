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
    action: str
    reason: str
    state: str
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class PendingRow:
    seller: str
    what: str  # takeover:<trigger> or notification:<template>
    state: str
    since: datetime | None = None


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
                Banner("restriction", a.kind.replace("_", " "), a.reason, a.start_at, a.end_at)
            )
    badges = optional_module("servicenorm.enforce.badges")
    if (
        badges is not None
        and _has_tables(s, "enforce_badges")
        and not any(b.kind == "badge" for b in out)
    ):
        for row in badges.badges_of(s, seller_id):
            if row.status in ("awarded", "removed"):
                text = (
                    row.status
                    if row.reason is None
                    else f"{row.status} ({row.reason.replace('_', ' ')})"
                )
                out.append(Banner("badge", row.badge, text, row.since, row.pause_until))
    return out


def performance_score(entry: dict[str, Any] | None, policy: Any) -> float | None:
    """The share of the norms in the score that the seller meets (enforcement's page data)."""
    perf = optional_module("servicenorm.enforce.performance")
    if perf is None or entry is None:
        return None
    score = perf.performance(entry, policy)["score"]
    return None if score is None else float(score)


def actions(s: Session, seller_ids: list[str], limit: int = 200) -> list[ActionRow]:
    """Actions taken against these sellers, newest first."""
    tables = optional_module("servicenorm.enforce.tables")
    if tables is None or not seller_ids or not _has_tables(s, "enforce_actions"):
        return []
    a: Any = tables.Action
    rows = s.scalars(
        select(a).where(a.seller_id.in_(seller_ids)).order_by(a.start_at.desc(), a.id).limit(limit)
    )
    return [ActionRow(r.seller_id, r.kind, r.reason, r.state, r.start_at, r.end_at) for r in rows]


def pending(s: Session, seller_ids: list[str], limit: int = 200) -> list[PendingRow]:
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
                PendingRow(r.seller_id, f"takeover: {r.trigger.replace('_', ' ')}", r.state, r.at)
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
                    r.seller_id or "", f"e-mail: {r.template.replace('_', ' ')}", r.state, r.at
                )
            )
    return out

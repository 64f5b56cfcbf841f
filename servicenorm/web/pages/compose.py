"""What the message policy will do to an answer before it is sent: the same check the
helpdesk applies when posting (`helpdesk.conversations.moderated`, on top of the moderation
package), run on the draft and nothing stored. The queue asks it as the seller types
(`POST /ui/conversations/{id}/check`, static/compose.js) and once more on sending, so contact
details are never removed silently: the seller reads what goes and why, and can edit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.orm import Session

from servicenorm.access.errors import Blocked
from servicenorm.access.principal import Principal
from servicenorm.helpdesk import conversations as conv
from servicenorm.moderation.result import CONTACT_KINDS
from servicenorm.store.tables import Marketplace
from servicenorm.web.i18n import Texts

Action = Literal["deliver", "mask", "block"]
__all__ = ["CONTACT_KINDS", "Preview", "Removed", "blocked", "explain", "preview"]


@dataclass(frozen=True)
class Removed:
    kind: str  # email, phone, url, messenger, handle, payment, offplatform
    text: str


@dataclass(frozen=True)
class Preview:
    action: Action
    delivered: str  # what the buyer would read
    removed: list[Removed] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # language, tone: recorded, not removed


def _contact(violations: list[dict[str, Any]]) -> list[Removed]:
    out: list[Removed] = []
    for v in violations:
        if v.get("kind") == "contact":
            for sp in v.get("spans", []):
                out.append(Removed(str(sp.get("kind", "offplatform")), str(sp.get("text", ""))))
    return out


def preview(s: Session, p: Principal, conversation_id: str, text: str) -> Preview:
    """The message policy's verdict on `text` as `p`'s answer in this conversation."""
    thread = conv.get_thread(s, p, conversation_id)  # who may see it may check a draft
    seller = thread.seller
    market = s.get(Marketplace, seller.marketplace_id)
    assert market is not None  # foreign key
    author = conv.author_of(p, thread.conversation.taken_over_at is not None)
    try:
        out = conv.moderated(author, text, market.preset, seller.country)
    except Blocked as e:
        return blocked(e, text)
    action: Action = "mask" if out.action == "mask" else "deliver"
    return Preview(action, out.text, _contact(out.violations), _others(out.violations))


def blocked(e: Blocked, text: str = "") -> Preview:
    return Preview("block", text, _contact(e.violations), _others(e.violations))


def _others(violations: list[dict[str, Any]]) -> list[str]:
    return sorted({str(v.get("kind")) for v in violations if v.get("kind") != "contact"})


def explain(pv: Preview, t: Texts) -> str:
    """The preview in one sentence for the seller ("" when the answer goes as written)."""
    items = "; ".join(
        t("compose.item", what=t(f"compose.kind_{r.kind}"), text=r.text) for r in pv.removed
    )
    if pv.action == "mask":
        return t("compose.will_mask", items=items)
    if pv.action == "block":
        return t("compose.will_block", items=items or ", ".join(_kinds(pv, t)))
    if pv.other:
        return t("compose.recorded", what=", ".join(_kinds(pv, t)))
    return ""


def _kinds(pv: Preview, t: Texts) -> list[str]:
    return [t(f"compose.kind_{k}") for k in pv.other]

"""What the queue and the conversation page both show around an answer: whether "no reply
needed" is offered (`may_waive`), the answer not sent (`ReplyError`) and the note after a
masked one (`masked_text`). Its own module so that neither page imports the other or the
waive action (pages/waive.py), which render one another's pages."""

from __future__ import annotations

from dataclasses import dataclass

from servicenorm.access.principal import Principal
from servicenorm.store.tables import Conversation
from servicenorm.web.i18n import texts
from servicenorm.web.pages import compose


@dataclass(frozen=True)
class ReplyError:
    """An answer not sent: why (in the reader's words), the draft to edit, and, where the
    policy would mask contact details, what the buyer would read and the offer to send so."""

    conversation: str
    message: str
    draft: str
    masked: str | None = None


def masked_text(kinds: str | None, lang: str) -> str:
    """After a masked answer: what was removed, and why."""
    if not kinds:
        return ""
    t = texts(lang)
    known = [k for k in kinds.split(",") if k in compose.CONTACT_KINDS]
    items = ", ".join(t(f"compose.kind_{k}") for k in known) or t("compose.kind_contact")
    return t("compose.sent_masked", items=items)


def may_waive(p: Principal, c: Conversation, allowed: bool) -> bool:
    """Whether the page offers "no reply needed" on `c` (`allowed`: the policy's setting)."""
    return allowed and p.role in ("seller", "staff") and c.taken_over_at is None

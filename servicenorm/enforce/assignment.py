"""Who of the platform's agents answers a conversation the platform took over: an operator or
agent hands it to an agent of the marketplace. The conversation's `taken_over_by` names the
agent (the takeover inbox shows it as theirs); a queued takeover record of it is assigned to
them too. Compare-and-set on both rows, and an audit entry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from servicenorm.access.errors import Conflict, Forbidden, Invalid, NotFound
from servicenorm.access.principal import Principal
from servicenorm.enforce.audit import audit
from servicenorm.enforce.enforce_tables import Takeover
from servicenorm.store.tables import Account, Conversation, Seller


def agents_of(s: Session, marketplace_id: str) -> list[Account]:
    """The active agent accounts that work for `marketplace_id` (or for every marketplace)."""
    return list(
        s.scalars(
            select(Account)
            .where(
                Account.role == "agent",
                Account.active.is_(True),
                (Account.marketplace_id == marketplace_id) | Account.marketplace_id.is_(None),
            )
            .order_by(Account.name, Account.id)
        )
    )


def assign_to(
    s: Session, p: Principal, conversation_id: str, agent_id: str, now: datetime
) -> Conversation:
    """Hand the taken-over conversation to agent `agent_id`."""
    if not p.is_platform:
        raise Forbidden("the platform's operators and agents assign conversations")
    conv = s.get(Conversation, conversation_id)
    seller = None if conv is None else s.get(Seller, conv.seller_id)
    if conv is None or seller is None or not p.in_marketplace(seller.marketplace_id):
        raise NotFound(f"conversation {conversation_id!r} not found")
    if conv.taken_over_at is None:
        raise Conflict("take the conversation over before assigning it", "conversation")
    if agent_id not in {a.id for a in agents_of(s, seller.marketplace_id)}:
        raise Invalid(f"unknown agent {agent_id!r}", "agent")
    before = conv.taken_over_by
    res = s.execute(
        update(Conversation)
        .where(Conversation.id == conv.id, Conversation.version == conv.version)
        .values(taken_over_by=agent_id, version=Conversation.version + 1)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("the conversation changed meanwhile", "conversation")
    s.execute(
        update(Takeover)
        .where(Takeover.conversation_id == conv.id, Takeover.state.in_(("queued", "assigned")))
        .values(state="assigned", agent_id=agent_id, assigned_at=now, version=Takeover.version + 1)
        .execution_options(synchronize_session=False)
    )
    s.refresh(conv)
    audit(
        s,
        seller_id=seller.id,
        subject="conversation",
        subject_id=conv.id,
        event="assigned",
        at=now,
        actor=p.account_id,
        now=now,
        detail={"agent": agent_id, "before": before},
    )
    return conv

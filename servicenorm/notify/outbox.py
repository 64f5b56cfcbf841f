"""Queue a notification: render it now, store it in the outbox, deliver it later.

The text is rendered when queued, so the e-mail shows the figures of the evaluation that
caused it even if templates change before it is sent. `key` makes queueing idempotent: a
second evaluation asking for the same notification finds the row and adds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from servicenorm.notify.notify_tables import OutboxMessage
from servicenorm.notify.templates import render_mail
from servicenorm.store.ids import new_id
from servicenorm.store.once import insert_once


def enqueue(
    s: Session,
    *,
    key: str,
    template: str,
    locale: str,
    context: Mapping[str, Any],
    at: datetime,
    now: datetime,
    seller_id: str | None = None,
    to_addr: str | None = None,
) -> OutboxMessage | None:
    """Queue e-mail `template`; None when a message with this key is queued already."""
    if seller_id is None and to_addr is None:
        raise ValueError("a notification needs a seller or an address")
    if s.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None:
        return None
    subject, body = render_mail(template, locale, context)
    row = OutboxMessage(
        id=new_id(),
        key=key,
        seller_id=seller_id,
        to_addr=to_addr,
        template=template,
        locale=locale,
        subject=subject,
        body=body,
        context=dict(context),
        at=at,
        created_at=now,
        state="pending",
        attempts=0,
        next_attempt_at=now,
    )
    # a concurrent evaluation may insert the same key first: keep theirs
    return row if insert_once(s, row) else None


# What an operator may do with an e-mail not delivered yet: send it again now (a pending row
# waiting for its next try, or one the mail server refused) or withdraw it. A row being sent
# right now (`sending`, under a sender's lease) is left to its sender.
RESENDABLE = ("pending", "failed")
CANCELLABLE = ("pending", "failed")


class OutboxConflict(ValueError):
    """The e-mail is not in a state that allows the change (sent, being sent, cancelled)."""


def _set(s: Session, message_id: str, states: tuple[str, ...], **values: object) -> OutboxMessage:
    row = s.get(OutboxMessage, message_id)
    if row is None:
        raise LookupError(f"e-mail {message_id!r} not found")
    if row.state not in states:
        raise OutboxConflict(f"e-mail {message_id} is {row.state}")
    # compare-and-set on the version: a sender claiming it meanwhile wins
    res = s.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id, OutboxMessage.version == row.version)
        .values(version=OutboxMessage.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:  # type: ignore[attr-defined]
        raise OutboxConflict(f"e-mail {message_id} changed meanwhile")
    s.refresh(row)
    return row


def resend(s: Session, message_id: str, *, now: datetime) -> OutboxMessage:
    """Make a pending or failed e-mail due at `now`: the next delivery round sends it. The
    last error stays on the row until that round replaces it."""
    return _set(s, message_id, RESENDABLE, state="pending", next_attempt_at=now, lease_until=None)


def cancel(s: Session, message_id: str, *, reason: str) -> OutboxMessage:
    """Withdraw a pending or failed e-mail: it is never sent (state `cancelled`); `reason`
    is kept as its last word."""
    if not reason.strip():
        raise ValueError("say why the e-mail is withdrawn")
    return _set(
        s, message_id, CANCELLABLE, state="cancelled", lease_until=None, last_error=reason.strip()
    )

"""Queue a notification: render it now, store it in the outbox, deliver it later.

The text is rendered when queued, so the e-mail shows the figures of the evaluation that
caused it even if templates change before it is sent. `key` makes queueing idempotent: a
second evaluation asking for the same notification finds the row and adds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.notify.ids import new_id
from servicenorm.notify.tables import OutboxMessage
from servicenorm.notify.templates import render_mail
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

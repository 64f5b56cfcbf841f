"""The audit trail: one append-only row per thing that happened, at its logical time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicenorm.enforce.enforce_tables import AuditEntry
from servicenorm.store.ids import new_id


def audit(
    s: Session,
    *,
    seller_id: str,
    subject: str,
    subject_id: str,
    event: str,
    at: datetime,
    actor: str,
    now: datetime,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    row = AuditEntry(
        id=new_id(),
        seller_id=seller_id,
        subject=subject,
        subject_id=subject_id,
        event=event,
        at=at,
        actor=actor,
        detail=dict(detail or {}),
        recorded_at=now,
    )
    s.add(row)
    return row


def trail(
    s: Session,
    *,
    seller_id: str | None = None,
    subject: str | None = None,
    subject_id: str | None = None,
    limit: int = 500,
) -> list[AuditEntry]:
    q = select(AuditEntry)
    if seller_id is not None:
        q = q.where(AuditEntry.seller_id == seller_id)
    if subject is not None:
        q = q.where(AuditEntry.subject == subject)
    if subject_id is not None:
        q = q.where(AuditEntry.subject_id == subject_id)
    return list(
        s.scalars(q.order_by(AuditEntry.at, AuditEntry.recorded_at, AuditEntry.id).limit(limit))
    )

"""Facts that enter through the API are appended to the event log in the contract's format,
so metric runs read one history whatever the channel (docs/metrics.md: metrics from stored
facts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from servicenorm.store.tables import EventRow


def payload(id: str, type: str, at: datetime, fields: dict[str, Any]) -> dict[str, Any]:
    """The event as the contract writes it (what the log row's payload holds)."""
    return {"id": id, "type": type, "at": at.isoformat(), **fields}


def record(
    s: Session,
    id: str,
    type: str,
    at: datetime,
    seller_id: str | None,
    fields: dict[str, Any],
    now: datetime,
) -> None:
    s.add(
        EventRow(
            id=id,
            type=type,
            at=at,
            seller_id=seller_id,
            payload=payload(id, type, at, fields),
            received_at=now,
        )
    )

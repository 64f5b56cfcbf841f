"""Imported events are stored under their id scoped to their marketplace (issue 11 item 8):
`events.id` becomes `e-` + the first 40 hex digits of SHA-256("{marketplace}\\n{id}")
(`helpdesk.projection.keys.event_key`), the marketplace being that of the event's seller
(none for an event without a seller). The event's own id stays in its payload. Messages and
evidence items stored before keep their ids: new ones take the key, which no id the server
makes and no earlier key has the form of, so nothing collides.

Revision ID: 0240_hardin_event_keys
Revises: 0230_norms_aggregates
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0240_hardin_event_keys"
down_revision = "0230_norms_aggregates"
branch_labels = None
depends_on = None

BATCH = 5000


def _key(marketplace_id: str, event_id: str) -> str:  # (as the code had it at this revision)
    digest = hashlib.sha256(f"{marketplace_id}\n{event_id}".encode()).hexdigest()
    return f"e-{digest[:40]}"


def _rename(conn: sa.Connection, pairs: list[dict[str, Any]]) -> None:
    if pairs:
        conn.execute(sa.text("UPDATE events SET id = :new WHERE id = :old"), pairs)


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT e.id, s.marketplace_id FROM events e LEFT JOIN sellers s ON s.id = e.seller_id"
        )
    )
    pairs: list[dict[str, Any]] = []
    for event_id, marketplace_id in rows.fetchall():
        pairs.append({"old": event_id, "new": _key(marketplace_id or "", event_id)})
        if len(pairs) == BATCH:
            _rename(conn, pairs)
            pairs = []
    _rename(conn, pairs)


def downgrade() -> None:
    conn = op.get_bind()
    pairs = []
    for key, payload in conn.execute(sa.text("SELECT id, payload FROM events")).fetchall():
        doc = json.loads(payload) if isinstance(payload, str | bytes) else payload
        pairs.append({"old": key, "new": str(doc["id"])})
    _rename(conn, pairs)

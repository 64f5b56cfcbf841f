"""Row ids: random, 32 hex characters; the one generator for every table's rows (helpdesk,
enforcement, notifications)."""

from __future__ import annotations

import uuid


def new_id() -> str:
    return uuid.uuid4().hex

"""Row ids: random, 32 hex characters (the same width as the helpdesk's ids)."""

from __future__ import annotations

import uuid


def new_id() -> str:
    return uuid.uuid4().hex

"""The stored event log of one marketplace, as the metrics engine reads it (the policy
simulation; the pages' figures read the live store's items and aggregates, docs/live.md).

The helpdesk stores every ingested event (and the questions and replies posted through the
API) in `events`; `servicenorm.enforce.loader.load_log` reads them for the metrics.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from servicenorm.enforce.loader import load_log
from servicenorm.events import EventLog
from servicenorm.store.tables import Marketplace


def marketplace_log(s: Session, market: Marketplace) -> EventLog:
    """Everything the store knows of the marketplace (the enforcement loader, without as-of)."""
    return load_log(s, market.id)

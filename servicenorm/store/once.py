"""Insert a row at most once: the row's unique key says whether it exists already.

Rows whose key is derived from their cause (an action for a finding, a banner for a notice,
an evaluation for a period) make a second run of the same work a no-op: the insert fails on
the key inside a savepoint and the caller learns it was there already (STYLE: transitions
are rows, compare-and-set every transition)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from servicenorm.store.base import Base


def insert_once(s: Session, row: Base) -> bool:
    """Add `row`; False (and nothing added) when a row with its unique key exists."""
    try:
        with s.begin_nested():
            s.add(row)
            s.flush()
    except IntegrityError:
        return False
    return True

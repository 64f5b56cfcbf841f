"""Insert a row at most once: the row's unique key says whether it exists already.

Rows whose key is derived from their cause (an action for a finding, a banner for a notice,
an evaluation for a period) make a second run of the same work a no-op: the insert fails on
the key inside a savepoint and the caller learns it was there already (transitions
are rows, compare-and-set every transition). Only a unique violation on the row's own table
means that; any other integrity error (a foreign key, NOT NULL, a check) is a bug or bad data
and propagates."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from servicenorm.store.base import Base

_UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE
_SQLITE_UNIQUE = "UNIQUE constraint failed: "


def is_unique_violation(err: IntegrityError, table: str) -> bool:
    """Whether `err` is a unique (or primary key) violation on `table`, on either store."""
    orig = err.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is not None:  # psycopg
        if sqlstate != _UNIQUE_VIOLATION:
            return False
        found = getattr(getattr(orig, "diag", None), "table_name", None)
        return found is None or found == table
    message = str(orig)
    if not message.startswith(_SQLITE_UNIQUE):  # sqlite3: "UNIQUE constraint failed: t.a, t.b"
        return False
    columns = message.removeprefix(_SQLITE_UNIQUE).split(", ")
    return all(c.split(".", 1)[0] == table for c in columns)


def insert_once(s: Session, row: Base) -> bool:
    """Add `row`; False (and nothing added) when a row with its unique key exists."""
    try:
        with s.begin_nested():
            s.add(row)
            s.flush()
    except IntegrityError as e:
        if not is_unique_violation(e, row.__table__.name):  # type: ignore[attr-defined]
            raise
        return False
    return True

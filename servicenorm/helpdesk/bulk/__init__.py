"""Ingest a chunk of events in a few statements (the fast path of `ingest.ingest_many`).

Per chunk: parse every line, load what the lines refer to in a few `IN (...)` queries
(`snapshot`), apply the lines in order to those records in memory (`project`: the same
checks, refusals and results as the per-event path), then write the changes with one
executemany per table (`write`) inside a savepoint. Reply deadlines come from the vector
clock for the whole chunk. A chunk the records cannot decide alone (a key clash only the
database sees, a conversation changed by another writer) raises `PerEvent`, and the caller
applies it with the per-event path instead; nothing of it has been written then.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from servicenorm.events import EventError
from servicenorm.helpdesk.bulk.project import Parsed, PerEvent, Projector
from servicenorm.helpdesk.bulk.snapshot import load
from servicenorm.helpdesk.bulk.write import Stale, write
from servicenorm.helpdesk.ingest_lines import IngestReport, parse_line
from servicenorm.helpdesk.principal import Principal

__all__ = ["PerEvent", "apply_chunk"]


def apply_chunk(
    s: Session, p: Principal, objs: Sequence[tuple[int, Any]], now: datetime
) -> IngestReport:
    """Apply numbered objects (line, object) in one go; raises `PerEvent` (having written
    nothing) when the per-event path must take them."""
    numbered: list[tuple[int, Any, Parsed]] = []
    for line, obj in objs:
        try:
            numbered.append((line, obj, parse_line(obj)))
        except EventError as err:
            numbered.append((line, obj, err))
    s.flush()  # the caller's pending changes first: the snapshot reads the database
    snap = load(s.connection(), [x[0] for _, _, x in numbered if not isinstance(x, EventError)])
    done = Projector(snap, p, now)
    done.run(numbered)
    try:
        with s.begin_nested():
            write(s.connection(), snap, done)
    except (IntegrityError, Stale):
        raise PerEvent from None
    if s.identity_map:  # rows the session holds may have changed underneath it
        s.expire_all()
    return done.report

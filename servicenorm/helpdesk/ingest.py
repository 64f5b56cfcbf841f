"""Ingest events from an operator's systems (SPEC R6.1; shared/contract/events.md).

Each event is validated by `servicenorm.events`, stored once in the event log (idempotent
by id) and projected onto the helpdesk: sellers, buyers, orders, conversations, messages
with their deadlines, and the proactive stage messages order events trigger. One bad line
is reported, never fatal. Every line goes through the one projector and writer
(`helpdesk.projection`), `CHUNK` lines at a time.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy.orm import Session

from servicenorm.access.principal import Principal
from servicenorm.helpdesk.ingest_lines import IngestReport, LineError, parse_line
from servicenorm.helpdesk.projection import apply_lines
from servicenorm.helpdesk.projection.chunks import Numbered, apply_parsed, parse_lines
from servicenorm.helpdesk.roles import require

__all__ = ["CHUNK", "IngestReport", "LineError", "ingest_many", "ingest_one"]

# lines per chunk: the queries per chunk cost little per line, and most conversations begin
# and settle within one chunk, so their rows are inserted once in their final state rather
# than inserted and then updated by the next chunks (on PostgreSQL, 2,000 -> 12,000 lines cut
# the backend's CPU per event from 55-63 to 33-34 us and ours from 83-94 to 62-64 us)
CHUNK = 10_000
# allocations between two young-generation collections during a bulk ingest (Python's
# default is 700); the older generations keep their ratios (see `_fewer_collections`)
BULK_GC_THRESHOLD = 100_000


def ingest_one(s: Session, p: Principal, obj: Any, now: datetime) -> str:
    """Apply one event; returns 'accepted' or 'duplicate'. Raises EventError or DomainError."""
    require(p, "ingest events")
    parse_line(obj)  # an invalid event is refused with its field before anything is read
    done = apply_lines(s, p, [(1, obj)], now)
    if 1 in done.refusals:
        raise done.refusals[1]
    return "accepted" if done.report.accepted else "duplicate"


def _chunks(objs: Iterable[tuple[int, Any]], size: int) -> Iterator[list[tuple[int, Any]]]:
    it = iter(objs)
    while chunk := list(islice(it, size)):
        yield chunk


def _parse_next(parts: Iterator[list[tuple[int, Any]]]) -> Numbered | None:
    part = next(parts, None)
    return None if part is None else parse_lines(part)


def ingest_many(
    s: Session, p: Principal, objs: Iterable[tuple[int, Any]], now: datetime, chunk: int = CHUNK
) -> IngestReport:
    """Apply numbered objects (line, object), a chunk at a time; a bad line becomes a
    LineError and is skipped. The next chunk is read and parsed (pure, in a second thread)
    while this one is loaded, projected and written: the database's work and the wait for
    it overlap with parsing. Only that thread reads `objs`, and it is done before we return."""
    require(p, "ingest events")
    report = IngestReport()
    parts = _chunks(objs, chunk)
    with _fewer_collections(), ThreadPoolExecutor(1, thread_name_prefix="ingest-parse") as pool:
        ahead = pool.submit(_parse_next, parts)
        while (numbered := ahead.result()) is not None:
            ahead = pool.submit(_parse_next, parts)
            report.add(apply_parsed(s, p, numbered, now).report)
    return report


_gc_lock = threading.Lock()
_gc_users = 0
_gc_saved = gc.get_threshold()


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cycle collector less often while a bulk ingest runs. An ingest allocates
    millions of short-lived objects (parsed events, payloads, records, rows) that reference
    counting frees; at the default threshold the collector runs every 700 allocations and
    every hundredth run walks every live object of the process: measured, a quarter to a
    third of the ingest's CPU (bench/RESULTS.md). Cycles are still collected, less often.
    Thresholds are process-wide: concurrent ingests share one raise, the last one restores."""
    global _gc_users, _gc_saved
    with _gc_lock:
        if _gc_users == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(BULK_GC_THRESHOLD, *_gc_saved[1:])
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_saved)

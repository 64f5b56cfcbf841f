"""Apply events through the one projector and the one writer, in the caller's transaction.

`apply_lines`: numbered lines (a chunk of a batch, or the one event of `POST /events`) are
parsed, their state loaded in a few `IN (...)` queries (`state.load`), applied in order in
memory (`projector`), and written with one executemany per table (`writer`) inside a
savepoint, so a chunk is all or nothing. `post`: one question or message from the API, the
same way, with what the API adds (the message's id, account, masked text, violation).

Another writer may store the same ids, or move a conversation, between our read and our
write (the database answers `IntegrityError`, the compare-and-set `Stale`): the chunk is read
and applied again, and if it still clashes it is halved until the line that clashes is alone
and refused with a clear reason. Nothing is applied twice: a retried line finds its own id
stored and is a duplicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from servicenorm.access.errors import Conflict, DomainError
from servicenorm.access.principal import Principal
from servicenorm.events import Event, EventError
from servicenorm.helpdesk.ingest_lines import IngestReport, LineError, line_id, parse_line
from servicenorm.helpdesk.projection.projector import Parsed, Posting, Projector
from servicenorm.helpdesk.projection.records import MessageRec
from servicenorm.helpdesk.projection.state import Prefetched, load
from servicenorm.helpdesk.projection.writer import Stale, write

__all__ = ["Applied", "apply_lines", "apply_parsed", "parse_lines", "post"]

TRIES = 3  # reads of the state before a clashing chunk is halved


class Applied:
    """The answer for a run of lines: the report, and each refused line's error."""

    def __init__(self) -> None:
        self.report = IngestReport()
        self.refusals: dict[int, DomainError] = {}

    def add(self, done: Projector) -> None:
        self.report.add(done.report)
        self.refusals.update(done.refusals)


Numbered = list[tuple[int, Any, Parsed]]  # (line, object, its event and payload or its error)


def parse_lines(objs: Sequence[tuple[int, Any]]) -> Numbered:
    """Each numbered object (line, object) with its event and payload, or its error. Pure:
    bulk ingest parses the next chunk with it while the database writes the previous one."""
    numbered: Numbered = []
    for line, obj in objs:
        try:
            numbered.append((line, obj, parse_line(obj)))
        except EventError as err:
            numbered.append((line, obj, err))
    return numbered


def apply_lines(
    s: Session, p: Principal, objs: Sequence[tuple[int, Any]], now: datetime
) -> Applied:
    """Apply numbered objects (line, object); a bad line is reported and skipped."""
    return apply_parsed(s, p, parse_lines(objs), now)


def apply_parsed(s: Session, p: Principal, numbered: Numbered, now: datetime) -> Applied:
    """Apply lines `parse_lines` parsed; a bad line is reported and skipped."""
    out = Applied()
    _apply(s, p, numbered, now, out)
    return out


def _apply(s: Session, p: Principal, numbered: Numbered, now: datetime, out: Applied) -> None:
    events = [x[0] for _, _, x in numbered if not isinstance(x, EventError)]
    for _ in range(TRIES):
        s.flush()  # the caller's pending changes first: the state is read from the database
        snap = load(s.connection(), events)
        done = Projector(snap, p, now)
        done.run(numbered)
        try:
            with s.begin_nested():
                write(s.connection(), snap, done)
        except (IntegrityError, Stale):
            continue
        _forget(s)
        out.add(done)
        return
    if len(numbered) > 1:
        half = len(numbered) // 2
        _apply(s, p, numbered[:half], now, out)
        _apply(s, p, numbered[half:], now, out)
        return
    line, obj, _parsed = numbered[0]
    err = Conflict("another writer changed what this event refers to; send it again", "(event)")
    out.report.errors.append(LineError(line, line_id(obj), "(event)", err.message))
    out.refusals[line] = err


def post(
    s: Session,
    p: Principal,
    e: Event,
    payload: dict[str, Any],
    posting: Posting,
    now: datetime,
    heads: Prefetched | None = None,
) -> MessageRec:
    """Apply one question or message the API accepted (its ids made just now); raises the
    projector's refusal, or `Conflict` when the conversation keeps changing underneath.
    `heads`: what the caller read of its conversation in this transaction (`state.read_post`;
    used by the first try, a retry reads again)."""
    for _ in range(TRIES):
        s.flush()
        snap = load(s.connection(), [e], fresh_ids=True, heads=heads)
        heads = None
        done = Projector(snap, p, now)
        msg = done.post(e, payload, posting)
        try:
            # no savepoint: a post inserts no parents, so the conversation's compare-and-set
            # is its first write and `Stale` leaves nothing behind
            write(s.connection(), snap, done)
        except Stale:
            continue
        _forget(s)
        return msg
    raise Conflict("the conversation changed meanwhile; send the message again", "conversation")


def delay(
    s: Session, p: Principal, order_id: str, ship_by: datetime, event_id: str, now: datetime
) -> MessageRec | None:
    """An order's new ship-by date and its delay notice (`Projector.delay`), written by the
    one writer; raises the projector's refusal, or `Conflict` as `post` does."""
    for _ in range(TRIES):
        s.flush()
        snap = load(s.connection(), [], staged=(order_id, event_id))
        done = Projector(snap, p, now)
        msg = done.delay(order_id, ship_by, event_id)
        try:
            with s.begin_nested():
                write(s.connection(), snap, done)
        except (IntegrityError, Stale):
            continue
        _forget(s)
        return msg
    raise Conflict("the order changed meanwhile; send the delay again", "order")


def _forget(s: Session) -> None:
    if s.identity_map:  # rows the session holds may have changed underneath it
        s.expire_all()

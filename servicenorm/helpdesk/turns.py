"""Which buyer messages are answered, and which turn is waiting (pure; docs/metrics.md, R3.2).

A reply (seller, staff or agent; never an automated message) answers every buyer message
sent before it; a waiver ("no reply needed") ends the wait without answering. The waiting turn starts at the earliest unanswered buyer message, and its
deadline is that message's deadline: consecutive buyer messages share the clock of the
turn's first message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

REPLY_AUTHORS = frozenset({"seller", "staff", "agent"})
# a `reply_waived` in the thread: a message with this `stage`; it is no reply, but the buyer
# messages before it are handled by it (`answered_at`) and the queue drops the conversation
WAIVER_STAGE = "reply_waived"


class TurnMessage(Protocol):
    """What settling reads of a message (a `PlainTurnMessage`, or the chunked ingest's records)."""

    @property
    def id(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def automated(self) -> bool: ...
    @property
    def deadline(self) -> datetime | None: ...


@dataclass(frozen=True)
class PlainTurnMessage:
    id: str
    author: str
    at: datetime
    automated: bool
    deadline: datetime | None


@dataclass(frozen=True)
class Settled:
    answered_at: dict[str, datetime | None]  # buyer message id -> when answered
    awaiting_since: datetime | None
    deadline: datetime | None
    first_reply_at: datetime | None


def is_reply(m: TurnMessage) -> bool:
    return m.author in REPLY_AUTHORS and not m.automated


def settle(messages: Sequence[TurnMessage]) -> Settled:
    # buyer before reply at the same instant: a reply stamped with the question's own time
    # answers it
    ordered = sorted(messages, key=lambda m: (m.at, m.author != "buyer", m.id))
    answered: dict[str, datetime | None] = {}
    pending: list[TurnMessage] = []
    first_reply: datetime | None = None
    for m in ordered:
        if m.author == "buyer":
            pending.append(m)
            answered[m.id] = None
        elif is_reply(m) and pending:
            for q in pending:
                answered[q.id] = m.at
            pending = []
            first_reply = first_reply or m.at
        elif getattr(m, "stage", None) == WAIVER_STAGE and pending:
            for q in pending:  # handled: no longer waiting (the first reply is not set)
                answered[q.id] = m.at
            pending = []
    if not pending:
        return Settled(answered, None, None, first_reply)
    return Settled(answered, pending[0].at, pending[0].deadline, first_reply)

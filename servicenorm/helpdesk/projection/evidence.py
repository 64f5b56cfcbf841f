"""The evidence rules of the metrics, applied to items as events arrive (pure; the definitions
are the contract's, `metrics.definitions` writes the same in SQL for `evaluate`).

* Only a non-automated `seller` or `staff` message answers (agents, system and automated
  messages neither answer nor split a turn: unlike the helpdesk's own queue, where an agent
  answers after takeover).
* A buyer turn starts at the question or at a buyer message that follows a reply; messages
  before the question do not count; at one instant a buyer message comes before a reply.
* A call is judged by the seller's phone hours (the preset's, or the latest `phone_hours_set`
  at or before it, the preset's phone holidays closed whatever the hours) and shop status (the
  latest `shop_closed`/`shop_reopened` at or before it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache

from servicenorm.clock import Calendar, parse_weekly
from servicenorm.helpdesk.projection.records import MessageRec, QuestionRec, StatusRec, TurnRec
from servicenorm.helpdesk.turns import WAIVER_STAGE
from servicenorm.policy.stored import policy_for
from servicenorm.store.items import WAIVED


def answers(m: MessageRec) -> bool:
    return m.author in ("seller", "staff") and not m.automated


def waives(m: MessageRec) -> bool:
    """A `reply_waived` in the thread (never a reply: it answers nothing)."""
    return m.stage == WAIVER_STAGE


def turns_of(q: QuestionRec, messages: Iterable[MessageRec]) -> dict[str, TurnRec]:
    """Every turn of a question's conversation from all its messages (the question's own
    turn is keyed by the conversation id)."""
    rows: list[tuple[datetime, int, str, MessageRec | None]] = [(q.received_at, 0, "", None)]
    for m in messages:
        if m.id == q.message_id or m.at < q.received_at:
            continue
        if m.author == "buyer":
            rows.append((m.at, 1, m.id, m))
        elif answers(m):
            rows.append((m.at, 2, m.id, m))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    out: dict[str, TurnRec] = {}
    open_: TurnRec | None = None
    prev = -1
    for at, kind, _, msg in rows:
        if kind == 0 or (kind == 1 and prev == 2):
            open_ = TurnRec(
                id=q.conversation_id if msg is None else msg.id,
                conversation_id=q.conversation_id,
                seller_id=q.seller_id,
                received_at=at,
                # buyer messages carry their deadline from the clock kernel
                deadline=q.deadline if msg is None or msg.deadline is None else msg.deadline,
            )
            out[open_.id] = open_
        elif kind == 2 and open_ is not None and msg is not None:
            open_.replied_at, open_.replied_by = at, msg.author
            open_ = None
        prev = kind
    return out


def first_reply(q: QuestionRec, messages: Iterable[MessageRec]) -> tuple[datetime, str] | None:
    """The question's first response: the first reply, or a waiver before it (a reply at the
    same instant wins), as (when, by) with `by` WAIVED for a waiver."""
    replies = [
        (m.at, 0 if answers(m) else 1, m.author if answers(m) else WAIVED)
        for m in messages
        if (answers(m) or waives(m)) and m.at >= q.received_at
    ]
    if not replies:
        return None
    at, _, by = min(replies, key=lambda r: (r[0], r[1]))
    return at, by


@lru_cache(maxsize=4096)
def phone_calendar(preset: str, country: str, hours: str | None) -> Calendar | None:
    """The phone calendar for `hours` (None: the preset's own), None without a phone norm."""
    policy = policy_for(preset)
    if policy.phone is None:
        return None
    base = policy.phone_calendar(country)
    if hours is None:
        return base
    return Calendar(
        base.zone_name,
        parse_weekly(json.loads(hours)),
        base.holiday_sets,
        base.closed,
        base.reopened,
        f"{base.name} (seller's own hours)",
    )


def call_status(
    preset: str, country: str, statuses: Sequence[StatusRec], at: datetime
) -> tuple[bool, bool]:
    """(in phone hours, shop closed) for a call at `at`, given the seller's status events in
    the order they apply."""
    hours: str | None = None
    closed = False
    for st in statuses:
        if st.at > at:
            continue
        if st.type == "phone_hours_set":
            hours = st.hours
        else:
            closed = st.type == "shop_closed"
    cal = phone_calendar(preset, country, hours)
    return (cal is not None and cal.is_open(at)), closed


def status_order(st: StatusRec) -> tuple[datetime, str]:
    return (st.at, st.event_id)

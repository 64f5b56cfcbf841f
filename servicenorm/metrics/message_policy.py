"""Message-policy violations per seller in the window (docs/metrics.md): the moderation checks
(contact details, market language, tone) over every reply a seller or its staff sent, and
the share of canned replies (R5.3). Text checks are Python, so this metric reads the
frame's message bodies here rather than in SQL; it needs a log read with its texts."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from servicenorm.clock import from_us
from servicenorm.metrics.frame import Frame
from servicenorm.moderation import canned_replies, moderate


def has_texts(frame: Frame) -> bool:
    m = frame.tables.get("message_sent")  # a cluster frame keeps the events on the executors
    return m is not None and "body" in m.column_names


def message_policy(frame: Frame) -> dict[str, dict[str, Any]]:
    if not has_texts(frame):
        raise ValueError(
            "message-policy metrics need the message texts: read the log with keep_text=True"
        )
    w = frame.window
    sellers = {str(r["seller"]): str(r["country"]) for r in frame.tables["sellers"].to_pylist()}
    languages = frame.policy.moderation.languages or None
    questions = {
        str(r["conversation"]): r
        for r in frame.tables["question_opened"]
        .select(["conversation", "seller", "ts", "body"])
        .to_pylist()
        if r["seller"] in sellers
    }
    m = frame.tables["message_sent"]
    replies = m.filter(
        pc.and_(
            pc.and_(
                pc.greater_equal(m.column("ts"), w.start_us), pc.less(m.column("ts"), w.end_us)
            ),
            pc.and_(
                pc.is_in(
                    m.column("author"), pa.array(["seller", "staff"], m.column("author").type)
                ),
                pc.invert(m.column("automated")),
            ),
        )
    ).select(["id", "conversation", "ts", "body"])
    out: dict[str, dict[str, Any]] = {
        s: {"replies": 0, "contact": 0, "language": 0, "abusive": 0} for s in sellers
    }
    canned_rows = []
    for r in replies.to_pylist():
        q = questions.get(str(r["conversation"]))
        if q is None or r["ts"] < q["ts"]:
            continue
        seller = str(q["seller"])
        verdict = moderate(str(r["body"]), sellers[seller], languages=languages)
        counts = out[seller]
        counts["replies"] += 1
        counts["contact"] += verdict.contact
        counts["language"] += not verdict.language_ok
        counts["abusive"] += verdict.abusive
        canned_rows.append(
            {
                "id": r["id"],
                "seller": seller,
                "conversation": r["conversation"],
                "question": q["body"],
                "reply": r["body"],
                "question_at": from_us(q["ts"]),
                "reply_at": from_us(r["ts"]),
            }
        )
    canned = canned_replies(canned_rows)
    for seller, counts in out.items():
        stats = canned.get(seller)
        counts["canned"] = stats.flagged if stats else 0
        counts["canned_share"] = (
            round(stats.share, 4) if stats and stats.share is not None else None
        )
    return out

"""Canned and automated replies (docs/moderation.md): per seller over a window, the share of replies
that are near-duplicates of each other across different questions, or that were sent faster
than a human could read the question. Proactive stage messages and other automated messages
(R2.5), and saved replies the seller edited for the buyer (R2.4), do not count.

The input is plain records (or columns) so that a metrics engine can feed it from any store:

    seller, conversation, question, reply, question_at, reply_at      required
    automated (False), from_saved_reply (False), saved_reply_edited (True), id (row number)

`question` is the buyer message the reply answers; times are aware datetimes or ISO 8601
strings with an offset. A saved reply counts as canned unless it was edited for the buyer:
the helpdesk sets `saved_reply_edited=False` when a saved reply went out unchanged.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process


@dataclass(frozen=True)
class CannedRules:
    """Thresholds of the canned-reply check (our choice; docs/moderation.md gives none)."""

    reply_similarity: float = 90.0  # rapidfuzz ratio of two reply skeletons: near-duplicates
    question_similarity: float = (
        60.0  # token-set ratio of their questions below this: different questions
    )
    min_reply_words: int = 5  # "Ja.", "Bedankt!" are answers, not templates
    reading_words_per_second: float = 4.0  # about 240 words a minute, adult silent reading
    min_reading_seconds: float = 2.0  # even a one-word question takes this long to take in


@dataclass(frozen=True)
class CannedItem:
    """A counted reply that was flagged, with its evidence."""

    id: str
    conversation: str
    reasons: tuple[str, ...]  # "near_duplicate", "too_fast"
    seconds: float  # reply_at - question_at
    twin: str | None = None  # a near-duplicate reply in another conversation
    similarity: float | None = None  # reply similarity to the twin, 0-100


@dataclass(frozen=True)
class CannedStats:
    seller: str
    replies: int  # replies that count (after the exclusions)
    near_duplicates: int
    too_fast: int
    flagged: int  # near-duplicate or too fast
    share: float | None  # flagged / replies; None without replies
    items: tuple[CannedItem, ...]


@dataclass(frozen=True)
class _Reply:
    id: str
    seller: str
    conversation: str
    question: str
    reply: str
    seconds: float


_PUNCT = re.compile(r"[^\w\s]")
_DIGIT = re.compile(r"\d")
_SPACES = re.compile(r"\s+")


def skeleton(text: str) -> str:
    """Lower case, digits as 0, no punctuation, single spaces: a template filled in with another
    order number or name stays (nearly) the same string."""
    return _SPACES.sub(" ", _PUNCT.sub(" ", _DIGIT.sub("0", text.lower()))).strip()


def canned_replies(
    records: Iterable[Mapping[str, Any]] | Mapping[str, Sequence[Any]],
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    rules: CannedRules = CannedRules(),
) -> dict[str, CannedStats]:
    """Per seller, the replies sent in [start, end) (all when open) and which of them are canned."""
    by_seller: dict[str, list[_Reply]] = defaultdict(list)
    for i, row in enumerate(_rows(records)):
        rid = str(row.get("id", i))
        reply_at = _instant(row["reply_at"], "reply_at", rid)
        if (start is not None and reply_at < start) or (end is not None and reply_at >= end):
            continue
        if row.get("automated", False):
            continue
        if row.get("from_saved_reply", False) and row.get("saved_reply_edited", True):
            continue
        question_at = _instant(row["question_at"], "question_at", rid)
        seconds = (reply_at - question_at).total_seconds()
        if seconds < 0:
            raise ValueError(
                f"reply {rid}: reply_at {reply_at.isoformat()} is before question_at {question_at.isoformat()}"
            )
        by_seller[str(row["seller"])].append(
            _Reply(
                rid,
                str(row["seller"]),
                str(row["conversation"]),
                str(row.get("question") or ""),
                str(row.get("reply") or ""),
                seconds,
            )
        )
    return {
        seller: _assess(seller, replies, rules) for seller, replies in sorted(by_seller.items())
    }


def _rows(
    records: Iterable[Mapping[str, Any]] | Mapping[str, Sequence[Any]],
) -> Iterable[Mapping[str, Any]]:
    if isinstance(records, Mapping):  # columns: {"seller": [...], "reply": [...], ...}
        names = list(records)
        lengths = {len(records[n]) for n in names}
        if len(lengths) > 1:
            raise ValueError(f"columns differ in length: {sorted(lengths)}")
        return (
            dict(zip(names, values, strict=True))
            for values in zip(*(records[n] for n in names), strict=True)
        )
    return records


def _instant(value: Any, field: str, rid: str) -> datetime:
    t = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(t, datetime) or t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(
            f"reply {rid}: {field} must be an aware datetime or ISO 8601 with an offset, not {value!r}"
        )
    return t


def _too_fast(r: _Reply, rules: CannedRules) -> bool:
    reading = len(r.question.split()) / rules.reading_words_per_second
    return r.seconds < max(rules.min_reading_seconds, reading)


def _twins(replies: list[_Reply], rules: CannedRules) -> dict[int, tuple[int, float]]:
    """For each reply index with a near-duplicate in another conversation answering a
    different question: (twin index, similarity)."""
    idx = [i for i, r in enumerate(replies) if len(r.reply.split()) >= rules.min_reply_words]
    if len(idx) < 2:
        return {}
    shapes = [skeleton(replies[i].reply) for i in idx]
    questions = [skeleton(replies[i].question) for i in idx]
    cutoff = int(np.ceil(rules.reply_similarity))
    twins: dict[int, tuple[int, float]] = {}
    block = 2048  # rows per cdist call: bounds memory at block x n bytes
    for lo in range(0, len(idx), block):
        scores = process.cdist(
            shapes[lo : lo + block],
            shapes,
            scorer=fuzz.ratio,
            dtype=np.uint8,
            score_cutoff=cutoff,
            workers=1,
        )
        for a, b in zip(*np.nonzero(scores), strict=True):
            i, j = idx[lo + int(a)], idx[int(b)]
            if i >= j or replies[i].conversation == replies[j].conversation:
                continue
            if (
                fuzz.token_set_ratio(questions[lo + int(a)], questions[int(b)])
                >= rules.question_similarity
            ):
                continue  # the same question twice deserves the same answer
            sim = float(scores[a, b])
            for k, other in ((i, j), (j, i)):
                if k not in twins or sim > twins[k][1]:
                    twins[k] = (other, sim)
    return twins


def _assess(seller: str, replies: list[_Reply], rules: CannedRules) -> CannedStats:
    twins = _twins(replies, rules)
    items: list[CannedItem] = []
    near = fast = 0
    for i, r in enumerate(replies):
        reasons: list[str] = []
        twin = twins.get(i)
        if twin is not None:
            reasons.append("near_duplicate")
            near += 1
        if _too_fast(r, rules):
            reasons.append("too_fast")
            fast += 1
        if reasons:
            items.append(
                CannedItem(
                    r.id,
                    r.conversation,
                    tuple(reasons),
                    r.seconds,
                    replies[twin[0]].id if twin else None,
                    twin[1] if twin else None,
                )
            )
    n = len(replies)
    return CannedStats(
        seller, n, near, fast, len(items), round(len(items) / n, 4) if n else None, tuple(items)
    )

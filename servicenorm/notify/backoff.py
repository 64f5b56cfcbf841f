"""When to try a failed delivery again: exponential, capped, with a stable jitter per message
(so a burst of failures does not retry in lockstep, and a test can predict the schedule)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

BASE = timedelta(seconds=30)
CAP = timedelta(hours=1)


def retry_delay(
    attempts: int, message_id: str, base: timedelta = BASE, cap: timedelta = CAP
) -> timedelta:
    """Delay after the `attempts`-th failed attempt (1, 2, ...): base * 2^(n-1), at most `cap`,
    scaled by a factor in [0.8, 1.2) derived from the message id."""
    if attempts < 1:
        raise ValueError("attempts counts failed attempts, from 1")
    raw = min(cap, base * (2 ** min(attempts - 1, 30)))
    h = int.from_bytes(hashlib.blake2b(message_id.encode(), digest_size=2).digest(), "big")
    jittered: timedelta = raw * (0.8 + 0.4 * h / 65536)
    return jittered


def next_attempt(now: datetime, attempts: int, message_id: str) -> datetime:
    return now + retry_delay(attempts, message_id)

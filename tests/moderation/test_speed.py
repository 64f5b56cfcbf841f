"""Speed smoke test: `bench/bench_moderation.py` measures the issue's 2,000 msgs/s target on
typical traffic; this only catches a pipeline that became many times slower (e.g. a regex
that backtracks, a model loaded per message), with a floor far below the target so that a
busy test machine does not fail it."""

from __future__ import annotations

import time

from bench.bench_moderation import corpus
from servicenorm.moderation import moderate

FLOOR_MSGS_PER_CPU_S = 300


def test_typical_messages_are_checked_quickly() -> None:
    msgs = corpus(300)
    for text, market in msgs[:20]:
        moderate(text, market)  # models and lists load once
    started = time.process_time()
    for text, market in msgs:
        moderate(text, market)
    rate = len(msgs) / (time.process_time() - started)
    assert rate >= FLOOR_MSGS_PER_CPU_S, f"{rate:.0f} msgs/s"


def test_a_long_adversarial_line_takes_seconds_not_minutes() -> None:
    for text in (
        "1 " * 10_000,
        "jan at " * 3_000,
        "a " * 10_000,
        "(at)" * 5_000,
        "0612345678 " * 1_000,
    ):
        started = time.process_time()
        moderate(text, "NL")
        assert time.process_time() - started < 10, text[:20]

"""Which items a finding names does not depend on the order the rows come in: the metric
engine returns its item rows in no set order, the live store in its index's."""

from __future__ import annotations

import random

from servicenorm.enforce.evaluation import EVIDENCE_CAP, finding_evidence
from servicenorm.metrics.findings import Finding


def _late(i: int) -> dict[str, object]:
    return {
        "seller": "s1",
        "item": f"q{i:04d}",
        "event_id": f"e{i:04d}",
        "status": "late",
        "received": 1_000_000 * (500 - i),  # the newest first
    }


def test_the_oldest_items_are_kept_whatever_the_rows_order() -> None:
    rows = [_late(i) for i in range(EVIDENCE_CAP + 50)]
    rows.append({**_late(999), "seller": "s2"})
    rows.append({**_late(998), "status": "on_time"})
    f = Finding("s1", "first_response", 0.5, 0.9, "<", ("2026-03-02", "2026-03-30"), "x")
    expected = [f"e{i:04d}" for i in range(EVIDENCE_CAP + 49, 49, -1)]
    for seed in range(3):
        random.Random(seed).shuffle(rows)
        assert finding_evidence(f, rows, {}) == expected

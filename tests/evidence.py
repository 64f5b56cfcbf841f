"""Reading what `evaluate --out` wrote (tests of both engines compare it)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def read_evidence(root: Path, metric: str) -> list[dict[str, Any]]:
    """The rows of one metric's evidence, sorted, instants as epoch microseconds."""
    table = ds.dataset(root / metric, format="parquet", partitioning="hive").to_table()
    rows = table.to_pylist()
    for r in rows:
        for k, v in r.items():
            if isinstance(v, datetime):
                assert v.utcoffset() == timedelta(0), f"{metric}.{k} is not a UTC timestamp"
                r[k] = (v - EPOCH) // timedelta(microseconds=1)
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))

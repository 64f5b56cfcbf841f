"""Rows the cluster's SQL did not accept, judged by the contract's models on the driver.

They stream to the driver in log order, a bounded slice at a time, and go through the very
code the DuckDB path uses (`events.reader`'s collector: the same models, the same messages
with file and line). Valid ones among them (non-canonical spellings, and the small event
types that are always validated row by row: registrations, phone hours, absences, bills)
come back as Arrow tables; of the invalid ones the first `keep` errors and a count.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from servicenorm.engines.spark.source import FILE_BITS, Listing
from servicenorm.events.errors import EventError
from servicenorm.events.reader import _Collector, parquet_row_object


@dataclass
class Judged:
    tables: list[pa.Table] = field(default_factory=list)  # valid rows, `line` set to ord
    errors: list[EventError] = field(default_factory=list)  # the first `keep`, in log order
    invalid: int = 0
    valid: int = 0


def judge(
    rows: Iterable[tuple[int, int, bytes, str]], listing: Listing, strict: bool, keep: int
) -> Judged:
    """`rows`: (file, line, raw, fmt) in log order."""
    out = Judged()
    col: _Collector | None = None
    current = -1

    def close() -> None:
        if col is None:
            return
        for t in col.tables().values():
            if t.num_rows:
                ords = pc.add(t.column("line"), pa.scalar(current << FILE_BITS, pa.int64()))
                out.tables.append(t.set_column(t.schema.get_field_index("line"), "line", ords))
                out.valid += t.num_rows
        trim(col)

    def trim(c: _Collector) -> None:
        out.invalid += len(c.errors)
        out.errors.extend(c.errors[: max(0, keep - len(out.errors))])
        c.errors.clear()

    for n, (file, line, raw, fmt) in enumerate(rows):
        if file != current:
            close()
            current, col = file, _Collector(False, strict, listing.names[file])
        assert col is not None
        if fmt == "jsonl":
            col.add_json(line, raw)
        else:
            col.add_object(line, parquet_row_object(json.loads(raw)))
        if n % 10_000 == 9_999:
            trim(col)
    close()
    return out


def stream(
    df: Any, total: int, rows_per_slice: int = 50_000
) -> Iterable[tuple[int, int, bytes, str]]:
    """The rows of `df` (file, line, raw, fmt) in log order, one range partition at a time,
    so the driver holds at most about `rows_per_slice` of them."""
    parts = max(1, -(-total // rows_per_slice))
    ordered = df.repartitionByRange(parts, "file", "line").sortWithinPartitions("file", "line")
    for r in ordered.toLocalIterator(prefetchPartitions=False):
        yield int(r["file"]), int(r["line"]), bytes(r["raw"]), str(r["fmt"])

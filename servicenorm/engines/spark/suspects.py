"""Rows the cluster's SQL did not accept, judged by the contract's models on the executors.

Each executor runs its share, an Arrow batch at a time (`mapInArrow`), through the very code
the DuckDB path uses (`events.reader`'s collector: the same models, the same messages with
file and line). Valid rows (non-canonical spellings, and the small event types that are
always validated row by row: registrations, phone hours, absences, bills) come back as rows
of the wide table; invalid ones as rows naming their file, line, field and reason. The
driver reads back a count and the first few errors in log order, never the rows.

The executors need a Python with servicenorm's dependencies (pydantic, pyarrow, numpy,
duckdb); the package itself is sent with the job (`ship_package`), so its rules are the
driver's. The metric queries run no Python.
"""

from __future__ import annotations

import functools
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from servicenorm.engines.spark.source import FILE_BITS

# columns after the wide ones: where an error is, and what it says (null for valid rows)
ERROR_COLUMNS = pa.schema(
    [
        ("file", pa.int32()),
        ("file_line", pa.int64()),
        ("err_field", pa.string()),
        ("err_reason", pa.string()),
    ]
)
_SHIPPED_PARTS = ("__init__.py", "boundary.py", "clock", "engines", "events")
_SHIPPED: set[int] = set()  # SparkContexts the package was sent to


def judged(rows: Any, names: list[str], wide: pa.Schema, ddl: str) -> Any:
    """`rows` (file, line, raw, fmt) judged on the executors: a DataFrame of the wide
    columns followed by `ERROR_COLUMNS`; `names` are the files as messages show them."""
    ship_package(rows.sparkSession)
    out = pa.schema([*wide, *ERROR_COLUMNS])
    extra = "file INT, file_line BIGINT, err_field STRING, err_reason STRING"
    fn = functools.partial(judge_batches, names=names, schema=out)
    return rows.mapInArrow(fn, f"{ddl}, {extra}")


def ship_package(spark: Any) -> None:
    """servicenorm's Python modules (compiled) as a zip on the executors' path (once per application)."""
    sc = spark.sparkContext
    if id(sc) in _SHIPPED:
        return
    import atexit
    import shutil
    import tempfile

    import servicenorm

    root = Path(servicenorm.__file__).parent
    tmp = tempfile.mkdtemp(prefix="servicenorm-job-")  # served to the executors until exit
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    path = Path(tmp) / "servicenorm.zip"
    # compiled (.pyc): a module imported from a zip is otherwise compiled at every import
    with zipfile.PyZipFile(str(path), "w", zipfile.ZIP_DEFLATED) as z:
        for part in _SHIPPED_PARTS:  # what the models import, not the whole package
            z.writepy(str(root / part), "servicenorm")
    sc.addPyFile(str(path))
    _SHIPPED.add(id(sc))


def judge_batches(
    batches: Iterator[pa.RecordBatch], names: list[str], schema: pa.Schema
) -> Iterator[pa.RecordBatch]:
    """On an executor: each batch of (file, line, raw, fmt) rows through the models."""
    from servicenorm.events.reader import _Collector, parquet_row_object

    for batch in batches:
        cols: dict[int, _Collector] = {}
        files = batch.column("file").to_pylist()
        lines = batch.column("line").to_pylist()
        raws = batch.column("raw").to_pylist()
        fmts = batch.column("fmt").to_pylist()
        for file, line, raw, fmt in zip(files, lines, raws, fmts, strict=True):
            col = cols.get(file)
            if col is None:
                col = cols[file] = _Collector(False, False, names[file])
            if fmt == "jsonl":
                col.add_json(line, raw)
            else:
                col.add_object(line, parquet_row_object(json.loads(raw)))
        parts = []
        for file, col in cols.items():
            for etype, t in col.tables().items():
                if t.num_rows:
                    parts.append(_wide(etype, t, file, schema))
            if col.errors:
                parts.append(_errors(col.errors, file, schema))
        if parts:
            yield from pa.concat_tables(parts).to_batches()


def _wide(etype: str, t: pa.Table, file: int, schema: pa.Schema) -> pa.Table:
    """One event type's valid rows as wide rows, `line` the log-order key."""
    import pyarrow.compute as pc

    n = t.num_rows
    cols = []
    for f in schema:
        if f.name == "type":
            cols.append(pa.array([etype] * n, pa.string()))
        elif f.name == "line":
            cols.append(pc.add(t.column("line"), pa.scalar(file << FILE_BITS, pa.int64())))
        elif f.name in t.schema.names and f.name not in ERROR_COLUMNS.names:
            cols.append(t.column(f.name).cast(f.type))
        else:
            cols.append(pa.nulls(n, f.type))
    return pa.Table.from_arrays(cols, schema=schema)


def _errors(errors: list[Any], file: int, schema: pa.Schema) -> pa.Table:
    n = len(errors)
    given = {
        "file": pa.array([file] * n, pa.int32()),
        "file_line": pa.array([e.line for e in errors], pa.int64()),
        "err_field": pa.array([e.field for e in errors], pa.string()),
        "err_reason": pa.array([e.reason for e in errors], pa.string()),
    }
    return pa.Table.from_arrays(
        [given.get(f.name, pa.nulls(n, f.type)) for f in schema], schema=schema
    )

"""Reading event logs: JSON Lines (plain or gzip) and Parquet.

Every line is validated through the contract's models. Invalid lines become `EventError`s
naming the line, the field and what was expected; with `strict` the first one is raised.
An id seen twice is kept once (the first occurrence in the file): ingest is idempotent.
Large plain-JSONL files are split at line boundaries and parsed by several processes.
"""

from __future__ import annotations

import gzip
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import ValidationError

from servicenorm.events.arrow_fast import accept
from servicenorm.events.columns import Columns, schema_for
from servicenorm.events.errors import EventError, from_validation_error
from servicenorm.events.models import EVENT_ADAPTER, EVENT_TYPES, Event

_FLUSH_EVERY = 100_000
_PARALLEL_FROM = 64 * 1024 * 1024  # bytes; below this one process is faster than a pool
Progress = Callable[[int], None]  # called with the number of bytes (or rows) just consumed


@dataclass
class EventLog:
    """A validated, de-duplicated event log: one Arrow table per event type."""

    tables: dict[str, pa.Table]
    errors: list[EventError] = field(default_factory=list)
    lines: int = 0
    duplicates: int = 0

    @property
    def valid(self) -> int:
        return sum(t.num_rows for t in self.tables.values())

    def table(self, event_type: str) -> pa.Table:
        return self.tables[event_type]


class _Collector:
    def __init__(self, keep_text: bool, strict: bool, source: str) -> None:
        self.cols = {t: Columns(t, keep_text) for t in EVENT_TYPES}
        self.errors: list[EventError] = []
        self.strict, self.source = strict, source
        self.count = 0

    def add_json(self, line_no: int, raw: bytes | str) -> None:
        self.count += 1
        if not raw.strip():
            self._error(EventError("(line)", "empty line; expected one JSON object", line_no, self.source))
            return
        try:
            event: Any = EVENT_ADAPTER.validate_json(raw)
        except ValidationError as e:
            self._error(from_validation_error(e, line_no, self.source))
            return
        self._add(line_no, event)

    def add_object(self, line_no: int, obj: dict[str, Any]) -> None:
        self.count += 1
        try:
            event: Any = EVENT_ADAPTER.validate_python(obj)
        except ValidationError as e:
            self._error(from_validation_error(e, line_no, self.source))
            return
        self._add(line_no, event)

    def add_batch(self, event_type: str, batch: pa.RecordBatch) -> None:
        """Rows already validated and converted column by column."""
        self.cols[event_type].batches.append(batch)

    def _add(self, line_no: int, event: Any) -> None:
        cols = self.cols[event.type]
        cols.add(line_no, event)
        if self.count % _FLUSH_EVERY == 0:
            for c in self.cols.values():
                c.flush()

    def _error(self, err: EventError) -> None:
        if self.strict:
            raise err
        self.errors.append(err)

    def tables(self) -> dict[str, pa.Table]:
        return {t: c.table() for t, c in self.cols.items()}


def _lines(path: Path) -> Iterator[bytes]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        yield from f


def _parse_range(path: str, start: int, end: int, keep_text: bool, strict: bool) -> tuple[dict[str, pa.Table], list[EventError], int]:
    """Parse the lines that begin in [start, end); line numbers are local (1-based)."""
    col = _Collector(keep_text, strict, path)
    with open(path, "rb") as f:
        f.seek(start)
        pos, n = start, 0
        for raw in f:
            if pos >= end:
                break
            n += 1
            pos += len(raw)
            col.add_json(n, raw)
    return col.tables(), col.errors, n


def _split(path: Path, parts: int) -> list[tuple[int, int]]:
    size = path.stat().st_size
    bounds = [0]
    with open(path, "rb") as f:
        for i in range(1, parts):
            f.seek(size * i // parts)
            f.readline()  # move to the start of the next line
            bounds.append(max(f.tell(), bounds[-1]))
    bounds.append(size)
    return list(itertools.pairwise(bounds))


def read_events(
    path: Path | str,
    *,
    strict: bool = False,
    keep_text: bool = False,
    workers: int | None = None,
    progress: Progress | None = None,
) -> EventLog:
    """Read and validate an event log (.jsonl, .jsonl.gz, .parquet)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"event log {path} does not exist")
    if path.suffix == ".parquet":
        return _read_parquet(path, strict, keep_text, progress)
    size = path.stat().st_size
    workers = workers or min(os.cpu_count() or 1, 4)
    if path.suffix != ".gz" and size >= _PARALLEL_FROM and workers > 1 and not strict:
        return _read_parallel(path, keep_text, workers, progress)
    col = _Collector(keep_text, strict, str(path))
    done = 0
    for n, raw in enumerate(_lines(path), start=1):
        col.add_json(n, raw)
        if progress is not None:
            done += len(raw)
            if n % 50_000 == 0:
                progress(done)
                done = 0
    if progress is not None:
        progress(done)
    return _finish(col.tables(), col.errors, col.count)


def _read_parallel(path: Path, keep_text: bool, workers: int, progress: Progress | None) -> EventLog:
    ranges = _split(path, workers * 2)
    # spawn, not fork: the parent may hold Arrow/DuckDB thread pools that fork would break
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_parse_range, str(path), s, e, keep_text, False) for s, e in ranges]
        parts = []
        for (s, e), fut in zip(ranges, futures, strict=False):
            parts.append(fut.result())
            if progress is not None:
                progress(e - s)
    tables: dict[str, list[pa.Table]] = {t: [] for t in EVENT_TYPES}
    errors: list[EventError] = []
    offset = 0
    for part_tables, part_errors, n in parts:
        for t, tab in part_tables.items():
            if tab.num_rows:
                lines = pc.add(tab.column("line"), offset)
                tables[t].append(tab.set_column(tab.schema.get_field_index("line"), "line", lines))
        errors += [EventError(e.field, e.reason, e.line + offset, e.source) for e in part_errors]
        offset += n
    merged = {
        t: pa.concat_tables(ts) if ts else schema_for(t, keep_text).empty_table()
        for t, ts in tables.items()
    }
    return _finish(merged, errors, offset)


def _read_parquet(path: Path, strict: bool, keep_text: bool, progress: Progress | None) -> EventLog:
    """Parquet with one column per contract field (values as in JSON: instants as ISO 8601
    text). Rows that are certainly valid are accepted column by column (arrow_fast); every
    other row is validated through the models, in file order, as JSON Lines are."""
    col = _Collector(keep_text, strict, str(path))
    fields = {t: {"id", "type", "at", *m.model_fields} for t, m in EVENT_TYPES.items()}
    offset = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=262_144):
        if "type" not in batch.schema.names:
            raise ValueError(f"{path}: no 'type' column; expected one column per event field (see events.md)")
        types = batch.column("type")
        index = pa.array(np.arange(offset + 1, offset + batch.num_rows + 1, dtype=np.int64))
        slow: list[tuple[int, dict[str, Any]]] = []
        for t, wanted in fields.items():
            mask = pc.fill_null(pc.equal(types, t), False)
            if not pc.any(mask).as_py():
                continue
            sub = batch.select([c for c in batch.schema.names if c in wanted]).filter(mask)
            lines = index.filter(mask)
            fast = accept(t, sub, keep_text)
            if fast is not None:
                ok, converted = fast
                good = converted.filter(ok)
                col.add_batch(t, good.add_column(1, "line", lines.filter(ok)))
                rest = pc.invert(ok)
                sub, lines = sub.filter(rest), lines.filter(rest)
            slow += zip(lines.to_pylist(), sub.to_pylist(), strict=True)
        unknown = pc.invert(pc.fill_null(pc.is_in(types, pa.array(list(EVENT_TYPES))), False))
        if pc.any(unknown).as_py():
            slow += zip(index.filter(unknown).to_pylist(), batch.filter(unknown).to_pylist(), strict=True)
        slow.sort(key=lambda r: r[0])
        for line, row in slow:
            col.add_object(line, {k: v for k, v in row.items() if v is not None})
        offset += batch.num_rows
        if progress is not None:
            progress(batch.num_rows)
    return _finish(col.tables(), col.errors, offset)


def events_from_objects(objects: Iterable[dict[str, Any]], *, strict: bool = False, keep_text: bool = False, source: str = "") -> EventLog:
    """Validate events given as parsed JSON objects (API batches, tests)."""
    col = _Collector(keep_text, strict, source)
    for n, obj in enumerate(objects, start=1):
        if not isinstance(obj, dict):
            col._error(EventError("(event)", "expected a JSON object", n, source))
            col.count += 1
            continue
        col.add_object(n, obj)
    return _finish(col.tables(), col.errors, col.count)


def parse_event(obj: dict[str, Any] | str | bytes) -> Event:
    """Validate one event (a parsed object or its JSON text); raises EventError."""
    try:
        if isinstance(obj, str | bytes):
            return EVENT_ADAPTER.validate_json(obj)
        return EVENT_ADAPTER.validate_python(obj)
    except ValidationError as e:
        raise from_validation_error(e) from None


def _finish(tables: dict[str, pa.Table], errors: list[EventError], lines: int) -> EventLog:
    """Keep the first occurrence of every id, across all event types."""
    ids = pa.concat_arrays([t.column("id").combine_chunks() for t in tables.values() if t.num_rows] or [pa.array([], pa.string())])
    duplicates = 0
    if len(ids):
        counts = pc.value_counts(ids)
        repeated = counts.filter(pc.greater(counts.field("counts"), 1)).field("values")
        if len(repeated):
            first: dict[str, int] = {}
            for t in tables.values():
                sub = t.filter(pc.is_in(t.column("id"), repeated))
                for i, ln in zip(sub.column("id").to_pylist(), sub.column("line").to_pylist(), strict=False):
                    first[i] = min(ln, first.get(i, ln))
            keep_lines = pa.array(sorted(first.values()), pa.int64())
            for name, t in tables.items():
                dup = pc.is_in(t.column("id"), repeated)
                keep = pc.or_(pc.invert(dup), pc.is_in(t.column("line"), keep_lines))
                duplicates += t.num_rows - pc.sum(pc.cast(keep, pa.int64())).as_py() if t.num_rows else 0
                tables[name] = t.filter(keep)
    errors.sort(key=lambda e: e.line)
    return EventLog(tables=tables, errors=errors, lines=lines, duplicates=duplicates)

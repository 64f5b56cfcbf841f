"""Reading event logs: JSON Lines (plain or gzip) and Parquet.

Every line is validated through the contract's models. Invalid lines become `EventError`s
naming the line, the field and what was expected; with `strict` the first one is raised.
An id seen twice is kept once (the first occurrence in the file): ingest is idempotent; an id
seen again with other content is an error naming both lines.
Blocks of lines are parsed by Arrow's JSON reader and certainly-valid rows are accepted
column by column (see arrow_fast); the models judge every other line.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj
import pyarrow.parquet as pq
from pydantic import ValidationError

from servicenorm.events.arrow_fast import accept
from servicenorm.events.columns import TEXT_HASH, Columns, field_kind
from servicenorm.events.errors import EventError, from_validation_error
from servicenorm.events.models import EVENT_ADAPTER, EVENT_TYPES, Event

_FLUSH_EVERY = 100_000
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
            self._error(
                EventError("(line)", "empty line; expected one JSON object", line_no, self.source)
            )
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


_BLOCK = (
    4 << 20
)  # bytes of JSON Lines parsed by Arrow at once; a block it cannot parse goes line by line


def _json_schema() -> pa.Schema:
    """Every flat contract field with the Arrow type Arrow's JSON reader should produce."""
    fields: dict[str, pa.DataType] = {}
    for model in EVENT_TYPES.values():
        for name, info in model.model_fields.items():
            kind = field_kind(info.annotation)
            if kind in ("list", "dict"):
                continue  # nested values: those events go through the models line by line
            fields.setdefault(name, {"bool": pa.bool_(), "int": pa.int64()}.get(kind, pa.string()))
    return pa.schema(list(fields.items()))


_JSON_OPTIONS = pj.ParseOptions(explicit_schema=_json_schema(), unexpected_field_behavior="ignore")
_FIELDS = {t: {"id", "type", "at", *m.model_fields} for t, m in EVENT_TYPES.items()}
_TYPES = pa.array(list(_FIELDS))  # position k is the k-th event type of _FIELDS


def _accept_block(
    col: _Collector,
    batch: pa.RecordBatch | pa.Table,
    first_line: int,
    slow_row: Callable[[int, int], None],
    keep_text: bool,
) -> None:
    """Rows of a block (lines first_line+1 ...): certainly-valid rows of each event type are
    taken column by column; every other row is handed to `slow_row(line, index)`, which
    validates it through the models. Slow rows are handled in line order."""
    # one hash lookup per row, then integer comparisons per event type
    kinds = pc.index_in(batch.column("type"), _TYPES)
    index = pa.array(np.arange(batch.num_rows, dtype=np.int64))
    slow: list[int] = []
    for k, (t, wanted) in enumerate(_FIELDS.items()):
        mask = pc.fill_null(pc.equal(kinds, k), False)
        if not pc.any(mask).as_py():
            continue
        sub = batch.select([c for c in batch.schema.names if c in wanted]).filter(mask)
        rows = index.filter(mask)
        fast = accept(t, sub, keep_text)
        if fast is not None:
            ok, converted = fast
            good = converted.filter(ok)
            if good.num_rows:
                line = pc.cast(
                    pc.add(rows.filter(ok), pa.scalar(first_line + 1, pa.int64())), pa.int64()
                )
                col.add_batch(t, good.add_column(1, pa.field("line", pa.int64()), line))
            rows = rows.filter(pc.invert(ok))
        slow += rows.to_pylist()
    unknown = pc.is_null(kinds)
    if pc.any(unknown).as_py():
        slow += index.filter(unknown).to_pylist()
    for i in sorted(slow):
        slow_row(first_line + i + 1, i)
    col.count += batch.num_rows - len(slow)


def _jsonl_block(col: _Collector, block: bytes, first_line: int, keep_text: bool) -> int:
    """One block of whole lines; returns the number of lines in it."""
    n = block.count(b"\n")
    try:
        table = pj.read_json(io.BytesIO(block), parse_options=_JSON_OPTIONS)
    except pa.ArrowInvalid:
        table = None  # broken JSON or a mistyped value somewhere in the block
    if table is None or table.num_rows != n or "type" not in table.schema.names:
        for i, raw in enumerate(block.split(b"\n")[:n]):  # (Arrow skips empty lines: count differs)
            col.add_json(first_line + i + 1, raw)
        return n
    lines = block.split(b"\n")
    _accept_block(col, table, first_line, lambda line, i: col.add_json(line, lines[i]), keep_text)
    return n


def _blocks(path: Path) -> Iterator[bytes]:
    """The file in blocks of whole lines (the last line may lack its newline)."""
    opener = gzip.open if path.suffix == ".gz" else open
    carry = b""
    with opener(path, "rb") as f:
        while chunk := _read(f, path):
            data = carry + chunk
            cut = data.rfind(b"\n") + 1
            carry = data[cut:]
            if cut:
                yield data[:cut]
    if carry:
        yield carry + b"\n"


def _read(f: Any, path: Path) -> bytes:
    """The next block; a damaged gzip file is an error naming the file, not a traceback."""
    try:
        data: bytes = f.read(_BLOCK)
    except EOFError:  # (the command line would take it for Ctrl-D)
        raise ValueError(f"{path}: the gzip file is truncated (it ends mid-stream)") from None
    except (gzip.BadGzipFile, zlib.error) as e:
        raise ValueError(f"{path}: not a valid gzip file ({e})") from None
    return data


def read_events(
    path: Path | str,
    *,
    strict: bool = False,
    keep_text: bool = False,
    progress: Progress | None = None,
) -> EventLog:
    """Read and validate an event log (.jsonl, .jsonl.gz, .parquet).

    Blocks of JSON Lines are parsed by Arrow's JSON reader (C++, threaded) and rows that are
    certainly valid are accepted column by column (`arrow_fast`, derived from the models);
    every other line, and every line of a block Arrow cannot parse, is validated through the
    models one by one, so errors read the same whichever path a line took."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"event log {path} does not exist")
    if path.is_dir():
        raise ValueError(
            f"{path} is a directory; give an event log file (.jsonl, .jsonl.gz, .parquet)"
        )
    if path.suffix == ".parquet":
        try:
            return _read_parquet(path, strict, keep_text, progress)
        except pa.ArrowException as e:  # not Parquet, or columns of types the contract has not
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ValueError(
                f"{path}: cannot read it as an event log in Parquet ({first}); expected one "
                "column per event field, values as in JSON (see events.md)"
            ) from None
    col = _Collector(keep_text, strict, str(path))
    line = 0
    for block in _blocks(path):
        line += _jsonl_block(col, block, line, keep_text)
        if progress is not None:
            progress(len(block))
    return _finish(col.tables(), col.errors, line, str(path), strict)


def _read_parquet(path: Path, strict: bool, keep_text: bool, progress: Progress | None) -> EventLog:
    """Parquet with one column per contract field (values as in JSON: instants as ISO 8601
    text), through the same block acceptance as JSON Lines."""
    col = _Collector(keep_text, strict, str(path))
    offset = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=262_144):
        if "type" not in batch.schema.names:
            raise ValueError(
                f"{path}: no 'type' column; expected one column per event field (see events.md)"
            )

        def slow_row(line: int, i: int, batch: pa.RecordBatch = batch) -> None:
            col.add_object(line, parquet_row_object(batch.slice(i, 1).to_pylist()[0]))

        _accept_block(col, batch, offset, slow_row, keep_text)
        offset += batch.num_rows
        if progress is not None:
            progress(batch.num_rows)
    return _finish(col.tables(), col.errors, offset, str(path), strict)


def parquet_row_object(row: dict[str, Any]) -> dict[str, Any]:
    """A Parquet row as the event object the models judge: its type's fields, nulls left out
    (a table has a column for every type's fields). Spark's cluster path uses it too."""
    kind = row.get("type")
    keep = _FIELDS.get(kind, set(row)) if isinstance(kind, str) else set(row)
    return {k: v for k, v in row.items() if v is not None and k in keep}


def events_from_objects(
    objects: Iterable[dict[str, Any]],
    *,
    strict: bool = False,
    keep_text: bool = False,
    source: str = "",
) -> EventLog:
    """Validate events given as parsed JSON objects (API batches, tests)."""
    col = _Collector(keep_text, strict, source)
    for n, obj in enumerate(objects, start=1):
        if not isinstance(obj, dict):
            col._error(EventError("(event)", "expected a JSON object", n, source))
            col.count += 1
            continue
        col.add_object(n, obj)
    return _finish(col.tables(), col.errors, col.count, source, strict)


def parse_event(obj: dict[str, Any] | str | bytes) -> Event:
    """Validate one event (a parsed object or its JSON text); raises EventError."""
    try:
        if isinstance(obj, str | bytes):
            return EVENT_ADAPTER.validate_json(obj)
        return EVENT_ADAPTER.validate_python(obj)
    except ValidationError as e:
        raise from_validation_error(e) from None


def _repeated_ids(tables: dict[str, pa.Table]) -> tuple[pa.Array, pa.Array]:
    """(ids seen more than once, the line of each one's first occurrence), across all types.
    DuckDB's parallel hash aggregate over the Arrow columns, zero-copy."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # stdout is the CLI's report
    parts = []
    for i, t in enumerate(t for t in tables.values() if t.num_rows):
        con.register(f"t{i}", t.select(["id", "line"]))
        parts.append(f"SELECT id, line FROM t{i}")
    if not parts:
        return pa.array([], pa.string()), pa.array([], pa.int64())
    found = con.sql(
        f"SELECT id, MIN(line) AS first FROM ({' UNION ALL '.join(parts)}) "
        "GROUP BY id HAVING COUNT(*) > 1"
    ).to_arrow_table()
    con.close()
    return found.column("id").combine_chunks(), found.column("first").combine_chunks()


def _conflicts(tables: dict[str, pa.Table], repeated: pa.Array) -> list[tuple[str, int, int]]:
    """(id, first line, line) for each later occurrence of a repeated id whose content differs
    from the first one's. Content is every column but the line: instants as epoch
    microseconds (so 09:00Z and 10:00+01:00 are the same), texts by their hash."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # stdout is the CLI's report
    parts = []
    for i, (name, t) in enumerate(tables.items()):
        if not t.num_rows:
            continue
        rows = t.filter(pc.is_in(t.column("id"), repeated))
        if not rows.num_rows:
            continue
        con.register(f"t{i}", rows)
        content = ", ".join(f'"{c}"' for c in rows.schema.names if c not in ("id", "line"))
        parts.append(f"SELECT id, line, hash('{name}', {content}) AS h FROM t{i}")
    found = con.sql(
        f"WITH r AS ({' UNION ALL '.join(parts)}), "
        "f AS (SELECT id, MIN(line) AS first, arg_min(h, line) AS h0 FROM r GROUP BY id) "
        "SELECT r.id, f.first, r.line FROM r JOIN f USING (id) WHERE r.h <> f.h0 "
        "ORDER BY r.line"
    ).fetchall()
    con.close()
    return [(str(i), int(a), int(b)) for i, a, b in found]


def _finish(
    tables: dict[str, pa.Table],
    errors: list[EventError],
    lines: int,
    source: str = "",
    strict: bool = False,
) -> EventLog:
    """Keep the first occurrence of every id, across all event types; a later occurrence with
    other content is an error naming both lines (as the API answers it), not a duplicate."""
    repeated, first_lines = _repeated_ids(tables)
    duplicates = 0
    if len(repeated):
        conflicts = _conflicts(tables, repeated)
        for eid, first, line in conflicts:
            err = EventError(
                "id",
                f"event id {eid!r} was used by a different event on line {first}",
                line,
                source,
            )
            if strict:
                raise err
            errors.append(err)
        for name, t in tables.items():
            if not t.num_rows:
                continue
            dup = pc.is_in(t.column("id"), repeated)
            keep = pc.or_(pc.invert(dup), pc.is_in(t.column("line"), first_lines))
            duplicates += t.num_rows - pc.sum(pc.cast(keep, pa.int64())).as_py()
            tables[name] = t.filter(keep)
        duplicates -= len(conflicts)
    for name, t in tables.items():
        if TEXT_HASH in t.schema.names:  # only duplicates needed it
            tables[name] = t.drop_columns([TEXT_HASH])
    errors.sort(key=lambda e: e.line)
    pa.default_memory_pool().release_unused()  # the parsed blocks' memory goes back to the OS
    return EventLog(tables=tables, errors=errors, lines=lines, duplicates=duplicates)

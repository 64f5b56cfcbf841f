"""Validated events as Arrow tables, one per event type, with instants as epoch microseconds.

The metric engines (DuckDB, Spark) read these tables; every instant column is an int64 of
epoch microseconds, so no engine needs time-zone functions and all agree to the microsecond.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, get_args, get_origin

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import AwareDatetime, BaseModel

from servicenorm.boundary import Day, Instant
from servicenorm.clock.instants import EPOCH
from servicenorm.events.models import EVENT_TYPES

TEXT_FIELDS = frozenset({"body", "text"})  # dropped unless asked for: the metrics never read them
# Contract field names that are reserved words in SQL get a suffix in the tables, so the one
# SQL text of a metric runs unquoted on every engine.
COLUMN_NAMES = {"order": "order_id", "case": "case_id", "start": "start_date", "end": "end_date"}


def field_kind(annotation: Any) -> str:
    """What a model field holds, from its type (the models are the one definition)."""
    args = get_args(annotation)
    if type(None) in args and len(args) == 2:  # X | None: what X holds
        annotation = next(a for a in args if a is not type(None))
    if annotation == (Instant | Day):
        return "instant_or_date"
    if get_origin(annotation) is Annotated:  # (pydantic keeps the constraints apart)
        annotation = get_args(annotation)[0]
    if annotation is AwareDatetime:
        return "instant"
    if annotation in (date, bool, int, Decimal):
        return annotation.__name__  # type: ignore[no-any-return]
    origin = get_origin(annotation)
    if origin in (list, dict):
        return origin.__name__  # type: ignore[no-any-return]
    return "str"


_ARROW = {
    "instant": pa.int64(),
    "date": pa.date32(),
    "bool": pa.bool_(),
    "int": pa.int64(),
    "list": pa.list_(pa.string()),
}


def _arrow_type(annotation: Any) -> pa.DataType:
    return _ARROW.get(field_kind(annotation), pa.string())


TEXT_HASH = "text_hash"  # stands in for a dropped text until duplicates are compared (reader)
_P = np.uint64(0x100000001B3)  # FNV's prime: any odd multiplier spreads the bytes
_LENGTH_MIX, _NULL = np.uint64(0x9E3779B97F4A7C15), np.int64(0x5EED)


def text_hash(texts: pa.Array) -> pa.Array:
    """A 64-bit hash per string (null: a constant), the same whichever reader path computed
    it: sum(byte[i] * P**i) mod 2**64, mixed with the length, vectorised over the buffer."""
    texts = pc.cast(texts, pa.large_string())
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    n = len(texts)
    offsets = np.frombuffer(
        texts.buffers()[1], dtype=np.int64, count=n + 1, offset=texts.offset * 8
    )
    data = texts.buffers()[2]
    start, end = int(offsets[0]), int(offsets[-1])
    raw: npt.NDArray[np.uint8] = (
        np.frombuffer(data, dtype=np.uint8, count=end - start, offset=start)
        if data
        else np.zeros(0, np.uint8)
    )
    lengths = np.diff(offsets)
    pos = np.arange(end - start, dtype=np.int64) - np.repeat(offsets[:-1] - start, lengths)
    powers = _powers(int(lengths.max()) if n else 0)
    summed = np.concatenate(([np.uint64(0)], np.cumsum(np.asarray(raw, np.uint64) * powers[pos])))
    rel = offsets - start
    h = summed[rel[1:]] - summed[rel[:-1]] + lengths.astype(np.uint64) * _LENGTH_MIX
    out = h.view(np.int64)
    valid = np.asarray(texts.is_valid())
    return pa.array(np.where(valid, out, _NULL), type=pa.int64())


def _powers(n: int) -> npt.NDArray[np.uint64]:
    with np.errstate(over="ignore"):
        steps = np.full(n, _P, np.uint64)
        steps[:1] = 1
        powers: npt.NDArray[np.uint64] = np.cumprod(steps, dtype=np.uint64)
    return powers


def text_field(event_type: str) -> str | None:
    """The free-text field of an event type (body, text), if it has one."""
    return next((f for f in EVENT_TYPES[event_type].model_fields if f in TEXT_FIELDS), None)


def schema_for(event_type: str, keep_text: bool) -> pa.Schema:
    model = EVENT_TYPES[event_type]
    fields = [pa.field("id", pa.string()), pa.field("line", pa.int64()), pa.field("at", pa.int64())]
    for name, info in model.model_fields.items():
        if name in {"id", "at", "type"} or (name in TEXT_FIELDS and not keep_text):
            continue
        fields.append(pa.field(COLUMN_NAMES.get(name, name), _arrow_type(info.annotation)))
    if not keep_text and text_field(event_type) is not None:
        fields.append(pa.field(TEXT_HASH, pa.int64()))
    return pa.schema(fields)


_ONE_US = timedelta(microseconds=1)


def _epoch_us(v: datetime) -> int:
    return (v - EPOCH) // _ONE_US  # exact; pydantic has already refused naive times


def _converter(annotation: Any) -> Callable[[Any], Any] | None:
    kind = field_kind(annotation)
    if kind == "instant":
        return _epoch_us
    if kind == "Decimal":
        return str
    if kind == "dict":
        # canonical: closed days left out, whatever the source wrote for them
        return lambda v: json.dumps({k: x for k, x in v.items() if x}, sort_keys=True)
    if kind == "instant_or_date":  # kept as written: an instant or a date (a bill's due)
        return lambda v: v.isoformat()
    return None


class Columns:
    """Accumulates validated events of one type, column by column."""

    def __init__(self, event_type: str, keep_text: bool) -> None:
        self.schema = schema_for(event_type, keep_text)
        model = EVENT_TYPES[event_type]
        attrs = {COLUMN_NAMES.get(a, a): a for a in model.model_fields}
        text = text_field(event_type)
        if text is not None:
            attrs[TEXT_HASH] = text  # the text itself, hashed at flush
        self.plan: list[tuple[str, str, Callable[[Any], Any] | None]] = [
            (
                col,
                attrs.get(col, col),
                _epoch_us
                if col == "at"
                else None
                if col == TEXT_HASH
                else _converter(model.model_fields[attrs[col]].annotation),
            )
            for col in self.schema.names
            if col != "line"
        ]
        self._reset()
        self.batches: list[pa.RecordBatch] = []
        self.is_message = event_type == "message_sent"

    def _reset(self) -> None:
        self.lines: list[int] = []
        self.data: list[list[Any]] = [[] for _ in self.plan]

    def add(self, line: int, event: BaseModel) -> None:
        self.lines.append(line)
        values = event.__dict__
        for (_, attr, conv), column in zip(self.plan, self.data, strict=True):
            v = values[attr]
            column.append(v if conv is None or v is None else conv(v))

    def flush(self) -> None:
        if not self.lines:
            return
        cols: dict[str, Any] = {"line": self.lines} | {
            col: data for (col, _, _), data in zip(self.plan, self.data, strict=True)
        }
        if TEXT_HASH in cols:
            cols[TEXT_HASH] = text_hash(pa.array(cols[TEXT_HASH], pa.string()))
        batch = pa.RecordBatch.from_pydict(cols, schema=self.schema)
        if self.is_message:  # system messages are always automated (contract)
            idx = self.schema.get_field_index("automated")
            auto = pc.or_(
                pc.fill_null(batch.column(idx), False), pc.equal(batch.column("author"), "system")
            )
            batch = pa.RecordBatch.from_arrays(
                [auto if i == idx else c for i, c in enumerate(batch.columns)], schema=self.schema
            )
        self.batches.append(batch)
        self._reset()

    def table(self) -> pa.Table:
        self.flush()
        return pa.Table.from_batches(self.batches, schema=self.schema)

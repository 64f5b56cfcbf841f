"""Validated events as Arrow tables, one per event type, with instants as epoch microseconds.

The metric engines (DuckDB, Spark) read these tables; every instant column is an int64 of
epoch microseconds, so no engine needs time-zone functions and all agree to the microsecond.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, get_args, get_origin

import duckdb
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
_LOCAL = threading.local()


def text_hash(texts: pa.Array) -> pa.Array:
    """A 64-bit hash per string (DuckDB's `hash`, C++ over the Arrow buffer, zero-copy), the
    same whichever reader path computed it."""
    con = getattr(_LOCAL, "con", None)
    if con is None:
        con = _LOCAL.con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")  # stdout is the CLI's report
    con.register("texts_in", pa.table({"t": pc.cast(texts, pa.string())}))
    try:
        out = con.sql("SELECT (hash(t) >> 1)::BIGINT AS h FROM texts_in").to_arrow_table()
    finally:
        con.unregister("texts_in")
    return out.column("h").combine_chunks()


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


Plan = list[tuple[str, str, Callable[[Any], Any] | None]]  # (column, model field, conversion)


def _plan(event_type: str, keep_text: bool) -> Plan:
    """How each field of an event type is held in its table: the one definition of an event's
    content (`content`, and what the reader compares a repeated id on)."""
    schema = schema_for(event_type, keep_text)
    model = EVENT_TYPES[event_type]
    attrs = {COLUMN_NAMES.get(a, a): a for a in model.model_fields}
    text = text_field(event_type)
    if text is not None:
        attrs[TEXT_HASH] = text  # the text itself, hashed at flush
    return [
        (
            col,
            attrs.get(col, col),
            _epoch_us
            if col == "at"
            else None
            if col == TEXT_HASH
            else _converter(model.model_fields[attrs[col]].annotation),
        )
        for col in schema.names
        if col != "line"
    ]


@cache
def _content_plan(event_type: str) -> Plan:
    return [x for x in _plan(event_type, keep_text=True) if x[0] != "id"]


def content(event: BaseModel) -> tuple[Any, ...]:
    """What two events with one id are compared on, by the reader (a log's repeated id) and
    the API (an event sent again) alike: every field as the event tables hold it, so the same
    instant written with another offset (`09:00Z`, `10:00+01:00`) is the same content, as are
    phone hours written with or without their closed days, and a system message with or
    without `automated`."""
    values = event.__dict__
    event_type = str(values["type"])
    out: list[Any] = [event_type]
    for col, attr, conv in _content_plan(event_type):
        v = values[attr]
        if col == "automated":  # as `Columns.flush` has it: a system message is automated
            v = bool(v) or values["author"] == "system"
        out.append(v if conv is None or v is None else conv(v))
    return tuple(out)


class Columns:
    """Accumulates validated events of one type, column by column."""

    def __init__(self, event_type: str, keep_text: bool) -> None:
        self.schema = schema_for(event_type, keep_text)
        self.plan = _plan(event_type, keep_text)
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

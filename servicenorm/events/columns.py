"""Validated events as Arrow tables, one per event type, with instants as epoch microseconds.

The metric engines (DuckDB, Spark) read these tables; every instant column is an int64 of
epoch microseconds, so no engine needs time-zone functions and all agree to the microsecond.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
from pydantic import BaseModel

from servicenorm.clock.instants import to_us
from servicenorm.events.models import EVENT_TYPES

TEXT_FIELDS = frozenset({"body", "text"})  # dropped unless asked for: the metrics never read them
# Contract field names that are reserved words in SQL get a suffix in the tables, so the one
# SQL text of a metric runs unquoted on every engine.
COLUMN_NAMES = {"order": "order_id", "case": "case_id", "start": "start_date", "end": "end_date"}


def _arrow_type(annotation: Any) -> pa.DataType:
    text = str(annotation)
    if "AwareDatetime" in text or "datetime" in text:
        return pa.int64()
    if annotation is bool:
        return pa.bool_()
    if text.startswith("typing.Annotated[int") or annotation is int:
        return pa.int64()
    if text.startswith("list["):
        return pa.list_(pa.string())
    if annotation is date:
        return pa.date32()
    return pa.string()


def schema_for(event_type: str, keep_text: bool) -> pa.Schema:
    model = EVENT_TYPES[event_type]
    fields = [pa.field("id", pa.string()), pa.field("line", pa.int64()), pa.field("at", pa.int64())]
    for name, info in model.model_fields.items():
        if name in {"id", "at", "type"} or (name in TEXT_FIELDS and not keep_text):
            continue
        fields.append(pa.field(COLUMN_NAMES.get(name, name), _arrow_type(info.annotation)))
    return pa.schema(fields)


def _value(v: Any) -> Any:
    if isinstance(v, datetime):
        return to_us(v)
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, dict):
        return json.dumps(v, sort_keys=True)
    if isinstance(v, date):
        return v
    return v


class Columns:
    """Accumulates validated events of one type, column by column."""

    def __init__(self, event_type: str, keep_text: bool) -> None:
        self.schema = schema_for(event_type, keep_text)
        self.names = self.schema.names
        self.attrs = {COLUMN_NAMES.get(a, a): a for a in EVENT_TYPES[event_type].model_fields}
        self.data: dict[str, list[Any]] = {n: [] for n in self.names}
        self.batches: list[pa.RecordBatch] = []
        self.is_message = event_type == "message_sent"

    def add(self, line: int, event: BaseModel) -> None:
        d = self.data
        d["line"].append(line)
        for n in self.names:
            if n == "line":
                continue
            v = getattr(event, self.attrs.get(n, n))
            if n == "automated" and self.is_message:
                v = v or event.author == "system"  # type: ignore[attr-defined]
            d[n].append(_value(v))

    def flush(self) -> None:
        if self.data["id"]:
            self.batches.append(pa.RecordBatch.from_pydict(self.data, schema=self.schema))
            self.data = {n: [] for n in self.names}

    def table(self) -> pa.Table:
        self.flush()
        return pa.Table.from_batches(self.batches, schema=self.schema)

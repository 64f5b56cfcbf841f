"""Vectorised acceptance of Parquet rows that are certainly valid.

The contract's models stay the one definition of a valid event: from each model's field
types this module derives Arrow checks that accept only rows the model would accept too
(strict ISO 8601 instants with an offset, non-empty strings, enum values, ranges), and
converts those rows column by column. Every other row, including every row this module is
unsure about, goes through the model itself, which decides and words the error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

import pyarrow as pa
import pyarrow.compute as pc
from pydantic.fields import FieldInfo

from servicenorm.clock.instants import END_INSTANT, FIRST_INSTANT, to_us
from servicenorm.events.columns import (
    COLUMN_NAMES,
    TEXT_FIELDS,
    TEXT_HASH,
    field_kind,
    schema_for,
    text_hash,
)
from servicenorm.events.models import EVENT_TYPES, AbsenceAnnounced, PhoneHoursSet, SellerRegistered

# Types with validators of their own or nested values take the per-row path (they are rare).
_ROW_BY_ROW = {
    m.model_fields["type"].annotation.__args__[0]  # type: ignore[union-attr]
    for m in (PhoneHoursSet, AbsenceAnnounced, SellerRegistered)
}
_INSTANT = (
    r"^(?P<base>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(?P<frac>\d{1,6}))?"
    r"(?:(?P<z>Z)|(?P<sign>[+-])(?P<oh>\d{2}):(?P<om>\d{2}))$"
)
_DECIMAL = r"^-?(0|[1-9]\d*)(\.\d+)?$"  # as str(Decimal(v)) would write it back


@dataclass(frozen=True)
class _Field:
    name: str  # in the contract
    column: str  # in our tables
    kind: str  # instant, str, nonempty, bool, int, decimal, choice
    required: bool
    choices: tuple[str, ...] = ()
    bounds: tuple[int, int] | None = None
    pattern: str | None = None


def _describe(name: str, info: FieldInfo) -> _Field | None:
    ann = info.annotation
    if type(None) in get_args(ann):
        ann = next(a for a in get_args(ann) if a is not type(None))
    required = info.is_required()
    column = COLUMN_NAMES.get(name, name)
    meta = list(info.metadata)
    if get_origin(ann) is Literal:
        return _Field(name, column, "choice", required, tuple(get_args(ann)))
    kind = field_kind(ann)  # the same reading of the models as the row path's columns
    if kind == "instant":
        return _Field(name, column, "instant", required)
    if kind == "bool":
        return _Field(name, column, "bool", required)
    if kind == "int":
        lo = next((m.ge for m in meta if hasattr(m, "ge")), None)
        hi = next((m.le for m in meta if hasattr(m, "le")), None)
        return _Field(
            name,
            column,
            "int",
            required,
            bounds=(lo, hi) if lo is not None and hi is not None else None,
        )
    if kind == "Decimal":
        return _Field(name, column, "decimal", required)
    if kind == "str" and (ann is str or str in get_args(ann)):
        sc = [
            m
            for m in meta + [a for a in get_args(ann) if hasattr(a, "min_length")]
            if hasattr(m, "min_length")
        ]
        nonempty = any(getattr(m, "min_length", 0) for m in sc) or any(
            getattr(m, "min_length", 0) for m in get_args(ann)[1:]
        )
        pattern = next((m.pattern for m in sc if getattr(m, "pattern", None)), None)
        return _Field(name, column, "nonempty" if nonempty else "str", required, pattern=pattern)
    return None  # a kind we don't vectorise: the whole type goes row by row


def _plan(event_type: str) -> list[_Field] | None:
    if event_type in _ROW_BY_ROW:
        return None
    fields = []
    for name, info in EVENT_TYPES[event_type].model_fields.items():
        if name == "type":
            continue
        f = _describe(name, info)
        if f is None:
            return None
        fields.append(f)
    return fields


PLANS = {t: _plan(t) for t in EVENT_TYPES}


_UTC_US = pa.timestamp("us", tz="UTC")
_FIRST_US, _END_US = to_us(FIRST_INSTANT), to_us(END_INSTANT)  # the supported range


def _in_range(ok: pa.Array, us: pa.Array) -> pa.Array:
    inside = pc.and_(pc.greater_equal(us, _FIRST_US), pc.less(us, _END_US))
    return pc.fill_null(pc.and_(ok, inside), False)


def _instant(col: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(ok, epoch microseconds) for strict ISO 8601 instants with an offset."""
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        return pa.array([False] * len(col)), pa.nulls(len(col), pa.int64())
    ok = pc.fill_null(pc.match_substring_regex(col, _INSTANT), False)
    try:  # Arrow's ISO 8601 cast checks the calendar too, but fails the whole array at once
        us = pc.cast(pc.cast(pc.if_else(ok, col, pa.scalar(None, col.type)), _UTC_US), pa.int64())
    except pa.ArrowInvalid:  # some date does not exist: find which, row by row in C
        ok, us = _instant_by_parts(col)
    return _in_range(ok, us), us


def _instant_by_parts(col: pa.Array) -> tuple[pa.Array, pa.Array]:
    parts = pc.extract_regex(col, _INSTANT)
    base = pc.strptime(
        parts.field("base"), format="%Y-%m-%dT%H:%M:%S", unit="s", error_is_null=True
    )
    secs = pc.cast(base, pa.int64())
    frac = parts.field("frac")
    micros = pc.cast(
        pc.utf8_rpad(pc.if_else(pc.equal(frac, ""), "0", frac), width=6, padding="0"),
        pa.int64(),
        safe=False,
    )
    sign = pc.if_else(pc.equal(parts.field("sign"), "-"), -1, 1)
    oh = pc.cast(pc.if_else(pc.equal(parts.field("oh"), ""), "0", parts.field("oh")), pa.int64())
    om = pc.cast(pc.if_else(pc.equal(parts.field("om"), ""), "0", parts.field("om")), pa.int64())
    offset = pc.multiply(sign, pc.add(pc.multiply(oh, 3600), pc.multiply(om, 60)))
    us = pc.add(pc.multiply(pc.subtract(secs, offset), 1_000_000), micros)
    # strptime rolls 30 February over into March: only a round trip proves the date exists
    exists = pc.equal(pc.strftime(base, format="%Y-%m-%dT%H:%M:%S"), parts.field("base"))
    ok = pc.and_(pc.and_(pc.is_valid(us), exists), pc.and_(pc.less(om, 60), pc.less_equal(oh, 23)))
    return pc.fill_null(ok, False), us


def accept(
    event_type: str, batch: pa.RecordBatch, keep_text: bool
) -> tuple[pa.Array, pa.RecordBatch] | None:
    """For rows of one type: (mask of rows certainly valid, their converted columns without
    `line`), or None when this type must be validated row by row."""
    plan = PLANS[event_type]
    if plan is None:
        return None
    n = batch.num_rows
    names = set(batch.schema.names)
    ok = pa.array([True] * n)
    out: dict[str, Any] = {}
    for f in plan:
        if f.name not in names:
            if f.required:
                return None  # every row misses it: the model words the error
            out[f.column] = None
            if f.name in TEXT_FIELDS and not keep_text:  # hashed as the row path hashes None
                out[TEXT_HASH] = text_hash(pa.nulls(n, pa.string()))
            continue
        col = batch.column(f.name)
        if isinstance(col, pa.ChunkedArray):
            col = col.combine_chunks()
        present = pc.is_valid(col)
        if f.kind == "instant":
            good, value = _instant(col)
        elif f.kind == "bool":
            good, value = pa.array([pa.types.is_boolean(col.type)] * n), col
        elif f.kind == "int":
            if not pa.types.is_integer(col.type):
                return None
            good = pa.array([True] * n)
            if f.bounds:
                good = pc.and_(pc.greater_equal(col, f.bounds[0]), pc.less_equal(col, f.bounds[1]))
            value = pc.cast(col, pa.int64())
        elif pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            value = col
            if f.kind == "choice":
                good = pc.is_in(col, pa.array(list(f.choices)))
            elif f.kind == "decimal":
                good = pc.match_substring_regex(col, _DECIMAL)
            elif f.kind == "nonempty":
                good = pc.greater(pc.utf8_length(col), 0)
                if f.pattern:
                    good = pc.and_(good, pc.match_substring_regex(col, f.pattern))
            else:
                good = pa.array([True] * n)
            # a NUL byte: the model words the error (PostgreSQL cannot store one)
            good = pc.and_(good, pc.invert(pc.match_substring(col, "\x00")))
        else:
            return None
        good = pc.fill_null(good, False)
        # present and good, or absent and optional
        row_ok = pc.if_else(present, good, pa.array([not f.required] * n))
        ok = pc.and_(ok, row_ok)
        if f.name in TEXT_FIELDS and not keep_text:
            out[TEXT_HASH] = text_hash(pc.if_else(present, value, pa.scalar(None, value.type)))
            continue
        out[f.column] = value
    if event_type == "message_sent":  # system messages are always automated
        auto = out.get("automated")
        auto = pa.array([False] * n) if auto is None else pc.fill_null(auto, False)
        out["automated"] = pc.or_(auto, pc.equal(out["author"], "system"))
    schema = schema_for(event_type, keep_text)
    cols = []
    for field in schema:
        if field.name == "line":
            continue
        v = out.get(field.name)
        cols.append(pa.nulls(n, field.type) if v is None else pc.cast(v, field.type))
    return ok, pa.RecordBatch.from_arrays(
        cols, schema=pa.schema([f for f in schema if f.name != "line"])
    )

"""Events of one type as columns, rendered to JSON Lines or Arrow columns without a Python loop.

A `Block` holds the instants of its events and one `Field` per contract field. A field renders
a selection of rows as *parts*: string arrays and constants whose concatenation is the value's
text. A JSON line is then one element-wise join of all parts of all fields, so each byte is
copied once; Parquet gets the same text (unescaped) or a typed column. Optional fields carry a
`present` mask: absent means the key is left out of the JSON object, or null in Parquet.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Self

import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]

from servicenorm.demo.zoneclock import ZoneClock, offset_label

I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Arr = Any  # a pyarrow Array (pyarrow ships no type information)
Parts = list[Any]  # string arrays and str constants, concatenated element-wise


def join(parts: Parts) -> Arr:
    return pc.binary_join_element_wise(*parts, "")


def num_str(values: I64) -> Arr:
    return pc.cast(pa.array(values, type=pa.int64()), pa.string())


def _take(table: Arr, idx: npt.NDArray[Any]) -> Arr:
    return table.take(pa.array(idx))


@dataclass
class RenderContext:
    """What rendering needs besides the rows: phrases, zones, carriers."""

    phrase_raw: Arr
    phrase_json: Arr
    zones: list[ZoneClock]
    carriers: list[tuple[str, int]]  # (prefix, digits)

    def iso(self, us: I64, zone: I8) -> Parts:
        """ISO 8601 at seconds with each instant's zone offset, e.g. 2026-03-29T10:15:00+02:00."""
        off = np.zeros(us.shape[0], dtype=np.int64)
        for z, clock in enumerate(self.zones):
            rows = np.flatnonzero(zone == z)
            if rows.size:
                off[rows] = clock.offset_s(us[rows])
        wall = np.floor_divide(us, 1_000_000) + off
        text = pc.utf8_replace_slice(
            pa.array(wall.astype("datetime64[s]")).cast(pa.string()), 10, 11, "T"
        )
        uniq, inverse = np.unique(off, return_inverse=True)
        if uniq.size <= 1:
            return [text, offset_label(int(uniq[0])) if uniq.size else ""]
        return [
            text,
            _take(pa.array([offset_label(int(u)) for u in uniq]), inverse.astype(np.int32)),
        ]


@dataclass
class Field:
    name: str
    present: Bools | None = field(default=None, kw_only=True)
    arrow_type: Any = field(default_factory=pa.string, kw_only=True)
    quoted = True  # a JSON string; False for numbers, booleans and nested values

    def take(self, idx: I64) -> Self:
        """The same field for rows `idx` only."""
        out = copy.copy(self)
        for k, v in vars(self).items():
            if isinstance(v, np.ndarray):
                setattr(out, k, v[idx])
            elif isinstance(v, Body):
                setattr(out, k, v.take(idx))
        return out

    def parts(self, rows: I64, ctx: RenderContext, zone: I8, escaped: bool) -> Parts:
        """The value's text: JSON-escaped (`escaped`) or as is."""
        raise NotImplementedError

    def json_parts(self, rows: I64, ctx: RenderContext, zone: I8) -> Parts:
        inner = self.parts(rows, ctx, zone, True)
        return ['"', *inner, '"'] if self.quoted else inner

    def arrow(self, rows: I64, ctx: RenderContext, zone: I8) -> Arr:
        parts = self.parts(rows, ctx, zone, False)
        return parts[0] if len(parts) == 1 and not isinstance(parts[0], str) else join(parts)


@dataclass
class Ref(Field):
    """An id made of a prefix and a number: `c123`, or an order number `1100000123`."""

    prefix: str = ""
    num: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def parts(self, rows: I64, ctx: RenderContext, zone: I8, escaped: bool) -> Parts:
        s = num_str(self.num[rows])
        return [self.prefix, s] if self.prefix else [s]


@dataclass
class Label(Field):
    """One of a few strings (a seller id, a category, an author role)."""

    labels: tuple[str, ...] = ()
    code: I32 = field(default_factory=lambda: np.zeros(0, dtype=np.int32))

    def parts(self, rows: I64, ctx: RenderContext, zone: I8, escaped: bool) -> Parts:
        texts = (
            [orjson.dumps(s).decode()[1:-1] for s in self.labels] if escaped else list(self.labels)
        )
        return [_take(pa.array(texts, type=pa.string()), self.code[rows])]


@dataclass
class Body:
    """greeting (with the buyer's name) + core text (with an order number) + closing."""

    g_pre: I32
    g_name: I32
    g_post: I32
    c_pre: I32
    order: I64  # -1: no order number in the text
    c_post: I32
    closing: I32

    @staticmethod
    def core(pre: I32, post: I32, order: I64) -> Body:
        def zeros() -> I32:
            return np.zeros(pre.shape[0], dtype=np.int32)

        return Body(zeros(), zeros(), zeros(), pre, order, post, zeros())

    def take(self, idx: I64) -> Body:
        return Body(*(getattr(self, k)[idx] for k in _BODY_PARTS))

    @staticmethod
    def concat(parts: list[Body]) -> Body:
        return Body(*(np.concatenate([getattr(b, k) for b in parts]) for k in _BODY_PARTS))

    def parts(self, rows: I64, table: Arr) -> Parts:
        order = self.order[rows]
        order_text = pc.if_else(pa.array(order >= 0), num_str(np.maximum(order, 0)), "")
        out: Parts = []
        for k in _BODY_PARTS:
            if k == "order":
                out.append(order_text)
                continue
            idx = getattr(self, k)[rows]
            if idx.any():  # buyer messages have no greeting or closing: skip the empty parts
                out.append(_take(table, idx))
        return out


_BODY_PARTS = ("g_pre", "g_name", "g_post", "c_pre", "order", "c_post", "closing")


@dataclass
class TextField(Field):
    body: Body | None = None

    def parts(self, rows: I64, ctx: RenderContext, zone: I8, escaped: bool) -> Parts:
        assert self.body is not None
        return self.body.parts(rows, ctx.phrase_json if escaped else ctx.phrase_raw)


@dataclass
class Instant(Field):
    us: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def parts(self, rows: I64, ctx: RenderContext, zone: I8, escaped: bool) -> Parts:
        return ctx.iso(self.us[rows], zone)


@dataclass
class Day(Field):
    """A calendar date (days since 1970-01-01), written as 2026-03-02."""

    day: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def parts(self, rows: I64, ctx: RenderContext, zone: I8, escaped: bool) -> Parts:
        return [
            pa.array(self.day[rows].astype(np.int32), type=pa.int32())
            .cast(pa.date32())
            .cast(pa.string())
        ]


@dataclass
class Int(Field):
    values: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    arrow_type: Any = field(default_factory=pa.int64, kw_only=True)
    quoted = False

    def parts(self, rows: I64, ctx: RenderContext, zone: I8, escaped: bool) -> Parts:
        return [num_str(self.values[rows])]

    def arrow(self, rows: I64, ctx: RenderContext, zone: I8) -> Arr:
        return pa.array(self.values[rows], type=pa.int64())


@dataclass
class Bool(Field):
    values: Bools = field(default_factory=lambda: np.zeros(0, dtype=bool))
    arrow_type: Any = field(default_factory=pa.bool_, kw_only=True)
    quoted = False

    def parts(self, rows: I64, ctx: RenderContext, zone: I8, escaped: bool) -> Parts:
        return [_take(pa.array(["false", "true"]), self.values[rows].astype(np.int8))]

    def arrow(self, rows: I64, ctx: RenderContext, zone: I8) -> Arr:
        return pa.array(self.values[rows], type=pa.bool_())


@dataclass
class Amount(Field):
    """A decimal string with two decimals, from cents."""

    cents: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def parts(self, rows: I64, ctx: RenderContext, zone: I8, escaped: bool) -> Parts:
        c = self.cents[rows]
        return [num_str(c // 100), ".", pc.utf8_lpad(num_str(c % 100), 2, "0")]


@dataclass
class Tracking(Field):
    """A carrier's tracking code: its prefix and digits; carrier -1 is the empty string."""

    carrier: I32 = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    serial: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def parts(self, rows: I64, ctx: RenderContext, zone: I8, escaped: bool) -> Parts:
        carrier, serial = self.carrier[rows], self.serial[rows]
        empty = np.flatnonzero(carrier < 0)
        pieces, order = [pa.array([""] * empty.size, type=pa.string())], [empty]
        for c, (prefix, digits) in enumerate(ctx.carriers):
            sel = np.flatnonzero(carrier == c)
            if sel.size == 0:
                continue
            # a serial holds 15 random digits; longer codes append digits derived from it
            s = serial[sel]
            k1 = min(digits, 15)
            k2 = digits - k1
            code = [prefix, pc.utf8_lpad(num_str(s % 10**k1), k1, "0")]
            if k2:
                code.append(pc.utf8_lpad(num_str((s // 7 + 12_345) % 10**k2), k2, "0"))
            pieces.append(join(code))
            order.append(sel)
        merged = pa.concat_arrays(pieces)
        return [_take(merged, np.argsort(np.concatenate(order), kind="stable"))]


@dataclass
class Nested(Field):
    """A small table of JSON values (phone hours, linked sellers) picked per row."""

    values: list[Any] = field(default_factory=list)
    arrow_values: list[Any] | None = None
    code: I32 = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    quoted = False

    def parts(self, rows: I64, ctx: RenderContext, zone: I8, escaped: bool) -> Parts:
        table = pa.array([orjson.dumps(v).decode() for v in self.values], type=pa.string())
        return [_take(table, self.code[rows])]

    def arrow(self, rows: I64, ctx: RenderContext, zone: I8) -> Arr:
        vals = self.arrow_values if self.arrow_values is not None else self.values
        return pa.array([vals[c] for c in self.code[rows]], type=self.arrow_type)


@dataclass
class Block:
    """Events of one type. `zone` indexes the run's zones (the seller's marketplace zone)."""

    type: str
    at: I64
    zone: I8
    fields: list[Field]

    def __len__(self) -> int:
        return int(self.at.shape[0])

    def json_lines(self, rows: I64, ids: I64, ctx: RenderContext) -> Arr:
        zone = self.zone[rows]
        parts: Parts = [
            '{"id": "e',
            num_str(ids),
            f'", "type": "{self.type}", "at": "',
            *ctx.iso(self.at[rows], zone),
            '"',
        ]
        for f in self.fields:
            value = f.json_parts(rows, ctx, zone)
            if f.present is None:
                parts += [f', "{f.name}": ', *value]
            else:
                parts.append(
                    pc.if_else(pa.array(f.present[rows]), join([f', "{f.name}": ', *value]), "")
                )
        parts.append("}\n")
        return join(parts)

    def columns(self, rows: I64, ids: I64, ctx: RenderContext) -> dict[str, Arr]:
        zone = self.zone[rows]
        cols: dict[str, Arr] = {
            "id": join(["e", num_str(ids)]),
            "type": pa.array([self.type] * rows.shape[0], type=pa.string()),
            "at": join(ctx.iso(self.at[rows], zone)),
        }
        for f in self.fields:
            col = f.arrow(rows, ctx, zone)
            if f.present is not None:
                col = pc.if_else(pa.array(f.present[rows]), col, pa.scalar(None, type=f.arrow_type))
            cols[f.name] = col
        return cols

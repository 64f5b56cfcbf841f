"""Spark SQL that accepts event rows which are certainly valid, derived from the same field
descriptions as the Arrow fast path (`events.arrow_fast.PLANS`, read off the contract's
models), and converts them to the reader's columns (`events.columns.schema_for`).

A row this SQL does not accept is not thereby invalid: the driver hands it to the models,
which decide and word the error exactly as the DuckDB path does (`suspects`). So this SQL
only has to be sound (never accept what a model refuses, and convert to the same values);
it needs no error messages of its own, and the executors run no Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from servicenorm.clock import instants as clock
from servicenorm.events.arrow_fast import _DECIMAL, _INSTANT, PLANS, _Field

# Java regular expressions: the same patterns, named groups spelled the Java way.
_INSTANT_JAVA = _INSTANT.replace("(?P<", "(?<")
# The supported instant range, where the clock defines one (issue 11), else any instant.
_RANGE = (
    clock.to_us(getattr(clock, "FIRST_INSTANT", clock.EPOCH.replace(year=1))),
    clock.to_us(getattr(clock, "END_INSTANT", clock.EPOCH.replace(year=9999))),
)
# JSON Lines: one flat object and nothing after it. Parsed by `try_parse_json` (strict JSON,
# duplicate keys refused); braces inside the object (nested values, or text containing them)
# send the line to the models, which is rare and always correct.
_FLAT_OBJECT = r"^[ \t]*\{[^{}]*\}[ \t\r]*$"

SQL_TYPES = {"instant": "BIGINT", "bool": "BOOLEAN", "int": "BIGINT"}


def q(name: str) -> str:
    return f"`{name}`"


@dataclass(frozen=True)
class Input:
    """How a field's raw value is reached in one source format: `present` is true when the
    event carries the field (not absent, not null); `typed` holds the value when its JSON or
    Parquet type is the one the field needs, and is null otherwise."""

    present: str
    typed: str


def json_field(name: str, want: str) -> Input:
    """A field of a JSON line parsed into the variant `v`; `want` is STRING, BOOLEAN or BIGINT."""
    path = f"'$.{name}'"
    tag = f"schema_of_variant(variant_get(v, {path}))"
    cast = {"STRING": "string", "BOOLEAN": "boolean", "BIGINT": "bigint"}[want]
    return Input(
        f"(variant_get(v, {path}) IS NOT NULL AND NOT is_variant_null(variant_get(v, {path})))",
        f"(CASE WHEN {tag} = '{want}' THEN variant_get(v, {path}, '{cast}') END)",
    )


def parquet_field(name: str, spark_type: str | None, want: str) -> Input:
    """A Parquet column (`spark_type` as Spark names it, None when the column is missing)."""
    if spark_type is None:
        return Input("FALSE", "NULL")
    ok = {
        "STRING": spark_type == "string",
        "BOOLEAN": spark_type == "boolean",
        "BIGINT": spark_type in {"bigint", "int", "smallint", "tinyint"},
    }[want]
    return Input(f"({q(name)} IS NOT NULL)", f"CAST({q(name)} AS {want})" if ok else "NULL")


def _want(f: _Field) -> str:
    return {"bool": "BOOLEAN", "int": "BIGINT"}.get(f.kind, "STRING")


def _check(f: _Field, x: str) -> tuple[str, str]:
    """(condition that the typed value `x` is valid, its converted SQL value)."""
    if f.kind == "instant":  # converted once, in `instants`
        us = q(f"u_{f.name}")
        return f"({us} IS NOT NULL AND {us} >= {_RANGE[0]} AND {us} < {_RANGE[1]})", us
    if f.kind == "bool":
        return "TRUE", x
    if f.kind == "int":
        if f.bounds:
            return f"({x} BETWEEN {f.bounds[0]} AND {f.bounds[1]})", x
        return "TRUE", x
    # text of some kind: a NUL byte is for the models to word (issue 11)
    safe = f"(NOT contains({x}, char(0)))"
    if f.kind == "choice":
        return f"({x} IN ({', '.join(_lit(c) for c in f.choices)}) AND {safe})", x
    if f.kind == "decimal":
        return f"({x} RLIKE {_lit(_DECIMAL)} AND {safe})", x
    if f.kind == "nonempty":
        pattern = f" AND {x} RLIKE {_lit(f.pattern)}" if f.pattern else ""
        return f"(char_length({x}) > 0{pattern} AND {safe})", x
    return safe, x


def _lit(text: str) -> str:
    """A SQL string literal (regexes and enum values from our own models, never input)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _key(f: _Field) -> str:
    """A column name for one field check (the same field may be checked differently by
    two event types, e.g. another set of choices)."""
    checks = sorted(
        {(g.name, g.kind, g.choices, g.bounds, g.pattern) for p in PLANS.values() for g in p or []}
    )
    return f"g{checks.index((f.name, f.kind, f.choices, f.bounds, f.pattern))}_{f.name}"


def checks() -> dict[str, str]:
    """The third projection: per field check, `g<k>_<name>`: present, of the right type and
    valid (absent fields are judged per event type in `plan_for`)."""
    out = {}
    for plan in PLANS.values():
        for f in plan or []:
            present, typed = q(f"p_{f.name}"), q(f"x_{f.name}")
            good, _ = _check(f, typed)
            out[_key(f)] = f"COALESCE({present} AND {typed} IS NOT NULL AND {good}, FALSE)"
    return out


def values() -> dict[str, str]:
    """The converted value of every field (null when absent), whatever the event type."""
    out: dict[str, str] = {}
    for plan in PLANS.values():
        for f in plan or []:
            _, value = _check(f, q(f"x_{f.name}"))
            out.setdefault(f.column, f"(CASE WHEN {q(f'p_{f.name}')} THEN {value} END)")
    return out


def accepted(event_type: str) -> str | None:
    """SQL over the `checks` columns: this type's row is certainly valid. None: the type is
    validated row by row by the models (nested values, validators of their own)."""
    plan = PLANS[event_type]
    if plan is None:
        return None
    return " AND ".join(
        q(_key(f)) if f.required else f"(NOT {q(f'p_{f.name}')} OR {q(_key(f))})" for f in plan
    )


# system messages are always automated (contract); applied to message_sent's table
AUTOMATED = "(COALESCE(automated, FALSE) OR author = 'system') AS automated"


def fields() -> dict[str, str]:
    """Every field name the SQL reads, with the raw type it wants (STRING, ...)."""
    out: dict[str, str] = {}
    for plan in PLANS.values():
        for f in plan or []:
            want = _want(f)
            if out.setdefault(f.name, want) != want:
                raise AssertionError(f"field {f.name} has two types in the contract")
    return out


def inputs(field: Any) -> dict[str, str]:
    """The first projection: `p_<name>` (present) and `x_<name>` (typed value) per field,
    where `field(name, want) -> Input` reaches a raw field in the source format."""
    out = {}
    for name, want in fields().items():
        src: Input = field(name, want)
        out[f"p_{name}"] = src.present
        out[f"x_{name}"] = src.typed
    return out


def instants() -> dict[str, str]:
    """The second projection: `u_<name>`, epoch microseconds of each instant field when it
    has the fast path's shape and java.time finds the date and offset valid, else null."""
    out = {}
    for plan in PLANS.values():
        for f in plan or []:
            if f.kind == "instant":
                x = q(f"x_{f.name}")
                out[f"u_{f.name}"] = (
                    f"(CASE WHEN {x} RLIKE {_lit(_INSTANT_JAVA)} THEN"
                    f" unix_micros(to_timestamp({x}, \"yyyy-MM-dd'T'HH:mm:ss[.SSSSSS]XXX\")) END)"
                )
    return out

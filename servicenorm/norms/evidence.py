"""Which metric items are behind a norm: the evidence selector.

A selector names the metric whose item list (`servicenorm evaluate --explain`, the pages'
drill-down) holds the items, the instant that places an item in an ISO week, and which items
are good, bad (count against the seller) and pending. Conditions are small data, so the same
selector filters item rows in Python (enforcement evidence, statements of reasons) and
groups them in SQL (the weekly trend) without being written twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Op = Literal["=", "<=", ">"]
Term = tuple[str, Op, str | int | bool]
# A condition is a disjunction of conjunctions: ((a AND b) OR (c)); () is never true.
Condition = tuple[tuple[Term, ...], ...]


def is_(column: str, value: str | int | bool, op: Op = "=") -> Condition:
    return (((column, op, value),),)


def all_of(*terms: Term) -> Condition:
    return (terms,)


def any_of(*conditions: Condition) -> Condition:
    return tuple(c for cond in conditions for c in cond)


NEVER: Condition = ()


@dataclass(frozen=True)
class Selector:
    metric: str  # the metric whose items are the evidence
    at: str | None  # the item's instant column that places it in an ISO week (None: no instant)
    good: Condition
    bad: Condition  # the items that count against the seller
    pending: Condition = NEVER


def _term(row: Mapping[str, Any], t: Term) -> bool:
    column, op, value = t
    v = row.get(column)
    if isinstance(value, bool):
        return bool(v) == value
    if v is None:
        return False
    if op == "=":
        return bool(v == value)
    return bool(int(v) <= int(value)) if op == "<=" else bool(int(v) > int(value))


def matches(cond: Condition, row: Mapping[str, Any]) -> bool:
    return any(all(_term(row, t) for t in clause) for clause in cond)


def against(selector: Selector, rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The item rows that count against the seller."""
    return [r for r in rows if matches(selector.bad, r)]


def _sql_value(v: str | int | bool) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    return "'" + v.replace("'", "''") + "'"


def sql(cond: Condition) -> str:
    """The condition as a SQL boolean over the item query's columns (DuckDB and Spark)."""
    if not cond:
        return "FALSE"
    clauses = []
    for clause in cond:
        parts = []
        for column, op, value in clause:
            if isinstance(value, bool):
                parts.append(f"COALESCE({column}, FALSE) = {_sql_value(value)}")
            else:
                parts.append(f"{column} {op} {_sql_value(value)}")
        clauses.append("(" + " AND ".join(parts) + ")")
    return "(" + " OR ".join(clauses) + ")"


def evidence_rows(
    selector: Selector,
    items: Iterable[Mapping[str, Any]],
    seller: str,
    week: tuple[int, int] | None = None,
) -> list[Mapping[str, Any]]:
    """The items behind a missed norm: `items` are the rows of `selector.metric`'s item list
    (`Run.items`), kept where they belong to `seller`, count against the seller, and, for a
    weekly norm, fall in `week` ([start, end) in microseconds, on `selector.at`)."""
    out = []
    for r in items:
        if r["seller"] != seller or not matches(selector.bad, r):
            continue
        if week is not None and selector.at is not None:
            at = r.get(selector.at)
            if at is None or not week[0] <= int(at) < week[1]:
                continue
        out.append(r)
    return out


def item_id(row: Mapping[str, Any]) -> str:
    """How an evidence item is named: its event id where it has one, else the item key."""
    return str(row.get("event_id") or row["item"])

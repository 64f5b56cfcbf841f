"""The writer's and the state's statements, run on the DB-API connection under the caller's
SQLAlchemy transaction (so a savepoint or a rollback covers them), without compiling a
SQLAlchemy statement per call: the SQL text of each statement is built once per shape and
cached, values are converted with the columns' own SQLAlchemy bind and result processors
(instants as epoch microseconds, JSON documents), and PostgreSQL prepares what repeats.

* reads: `fetch` by a list of keys (`= ANY(%s)` with one array on PostgreSQL, `IN (?, ...)`
  in slices on SQLite);
* inserts: `COPY ... FROM STDIN` on PostgreSQL for many rows, one executemany otherwise;
* updates: on PostgreSQL for many rows one `UPDATE ... FROM unnest(arrays)` (set-based), one
  executemany otherwise; the rows updated are counted (the compare-and-set on conversations).

A duplicate key is the driver's error, raised as SQLAlchemy's `IntegrityError` as a statement
through SQLAlchemy would be, so the chunk's retry treats both alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Sequence
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Column, ColumnElement, Connection, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError

from servicenorm.clock import from_us, to_us
from servicenorm.store.keylists import parts
from servicenorm.store.types import Instant

COPY_MIN = 64  # rows from which PostgreSQL gets a COPY or one set-based UPDATE
# a list of keys (text) as one array parameter in binary: the driver's text form quotes each
# element with a regular expression, about four times the cost per key
KEYS = "%b::text[]"

Proc = Callable[[Any], Any] | None


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _bind(col: Column[Any], dialect: Dialect) -> Proc:
    if isinstance(col.type, Instant):
        return to_us
    if dialect.name == "postgresql" and _is_json(col, dialect):
        return _json_text
    proc: Proc = col.type.dialect_impl(dialect).bind_processor(dialect)
    return proc


def _result(col: ColumnElement[Any], dialect: Dialect) -> Proc:
    if isinstance(col.type, Instant):
        return _from_us
    proc: Proc = col.type.dialect_impl(dialect).result_processor(dialect, None)
    return proc


def _is_json(col: Column[Any], dialect: Dialect) -> bool:
    return col.type.dialect_impl(dialect).compile(dialect=dialect) in ("JSON", "JSONB")


def _json_text(v: Any) -> str:
    """A document as JSON text for PostgreSQL, which parses it into the column's JSONB (so
    the stored value does not depend on the text's spacing or escapes): orjson, about ten
    times as fast as the driver's `json.dumps` for the event log's payloads; `json.dumps`
    for what orjson refuses (an integer beyond 64 bits)."""
    try:
        return orjson.dumps(v).decode()
    except TypeError:
        return json.dumps(v)


def _from_us(v: Any) -> Any:
    return None if v is None else from_us(v)


class Db:
    """The connection's DB-API handle and its dialect, for the projection's statements."""

    def __init__(self, conn: Connection) -> None:
        self.dialect = conn.dialect
        self.pg = conn.dialect.name == "postgresql"
        self.raw: Any = conn.connection.driver_connection
        self.mark = "%s" if self.pg else "?"

    # -- reads ----------------------------------------------------------------------------

    def fetch(
        self,
        table: Table,
        cols: Sequence[str] | None,
        key: str,
        keys: Collection[str],
        where: str = "",
    ) -> Iterator[dict[str, Any]]:
        """Rows of `table` whose `key` is one of `keys` (and `where`, SQL on its columns), as
        dicts of `cols` (default: every column) with their Python values."""
        if not keys:
            return
        names = tuple(cols) if cols is not None else tuple(c.name for c in table.columns)
        procs = _results(table, names, self.dialect)
        ids = sorted(keys)
        slices = [ids] if self.pg else parts(ids)  # PostgreSQL: one array parameter
        cur = self.raw.cursor()
        try:
            for part in slices:
                sql = _select_sql(table.name, names, key, where, self.pg, len(part))
                self._run(cur, sql, (part,) if self.pg else part)
                for row in cur.fetchall():
                    yield {
                        n: (v if p is None else p(v))
                        for n, v, p in zip(names, row, procs, strict=True)
                    }
        finally:
            cur.close()

    def fetch_rows(
        self, select: str, cols: Sequence[ColumnElement[Any]], key: str, keys: Collection[str]
    ) -> Iterator[tuple[Any, ...]]:
        """Rows of `select` (SQL up to its WHERE, its columns `cols` in order) whose `key` (an
        SQL expression) is one of `keys`, with their Python values."""
        if not keys:
            return
        procs = self._procs(select, cols)
        ids = sorted(keys)
        slices = [ids] if self.pg else parts(ids)  # PostgreSQL: one array parameter
        cur = self.raw.cursor()
        try:
            for part in slices:
                cond = (
                    f"{key} = ANY({KEYS})"
                    if self.pg
                    else f"{key} IN ({', '.join('?' * len(part))})"
                )
                self._run(cur, f"{select} WHERE {cond}", (part,) if self.pg else part)
                for row in cur.fetchall():
                    yield tuple(v if p is None else p(v) for v, p in zip(row, procs, strict=True))
        finally:
            cur.close()

    def fetch_all(
        self, sql: str, cols: Sequence[ColumnElement[Any] | None], params: Sequence[Any]
    ) -> list[tuple[Any, ...]]:
        """The rows of one statement (SQL in the driver's parameter style), with the Python
        values of `cols` (None: as the driver returns it)."""
        procs = self._procs(sql, cols)
        cur = self.raw.cursor()
        try:
            self._run(cur, sql, params)
            return [
                tuple(v if p is None else p(v) for v, p in zip(row, procs, strict=True))
                for row in cur.fetchall()
            ]
        finally:
            cur.close()

    def _procs(self, sql: str, cols: Sequence[ColumnElement[Any] | None]) -> tuple[Proc, ...]:
        """The result processors of a statement's columns, found once per statement."""
        k = (self.dialect.name, sql)
        found = _STATEMENT_RESULTS.get(k)
        if found is None or len(found) != len(cols):
            found = tuple(None if c is None else _result(c, self.dialect) for c in cols)
            if len(_STATEMENT_RESULTS) < 512:
                _STATEMENT_RESULTS[k] = found
        return found

    # -- writes ---------------------------------------------------------------------------

    def insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        names = tuple(rows[0])
        procs = _binds(table, names, self.dialect)
        values = _rows(rows, names, procs)
        cur = self.raw.cursor()
        try:
            if self.pg and len(rows) >= COPY_MIN:
                cols = ", ".join(_q(n) for n in names)
                with _integrity(), cur.copy(f"COPY {_q(table.name)} ({cols}) FROM STDIN") as cp:
                    for v in values:
                        cp.write_row(v)
                return
            sql = _insert_sql(table.name, names, self.mark)
            with _integrity():
                if len(values) == 1:  # psycopg's executemany enters and syncs a pipeline
                    cur.execute(sql, values[0])
                else:
                    cur.executemany(sql, values)
        finally:
            cur.close()

    def update(
        self, table: Table, rows: list[dict[str, Any]], key: str, *, cas: bool = False
    ) -> int:
        """UPDATE by `key` (each row's `b_id`), and by `version` (`b_version`) when `cas`;
        the number of rows updated."""
        if not rows:
            return 0
        names = tuple(n for n in rows[0] if n not in ("b_id", "b_version"))
        procs = _binds(table, names, self.dialect)
        lead = ("b_id", "b_version") if cas else ("b_id",)
        cur = self.raw.cursor()
        try:
            if self.pg and len(rows) >= COPY_MIN:
                return self._update_set(cur, table, rows, key, names, procs, lead)
            sql = _update_sql(table.name, names, key, cas, self.mark)
            values = _rows(rows, (*names, *lead), (*procs, *(None for _ in lead)))
            with _integrity():
                if len(values) == 1:
                    cur.execute(sql, values[0])
                else:  # both drivers count every row's update
                    cur.executemany(sql, values)
            return int(cur.rowcount)
        finally:
            cur.close()

    def _update_set(
        self,
        cur: Any,
        table: Table,
        rows: list[dict[str, Any]],
        key: str,
        names: tuple[str, ...],
        procs: tuple[Proc, ...],
        lead: tuple[str, ...],
    ) -> int:
        """One UPDATE from arrays (PostgreSQL): each column's values as one array parameter."""
        sql, json_cols = _update_set_sql(table, names, key, lead, self.dialect)
        columns: list[list[Any]] = [[r[n] for r in rows] for n in lead]
        for i, n in enumerate(names):
            p = procs[i]
            vals = [r[n] for r in rows]
            if n in json_cols:
                columns.append([None if v is None else json.dumps(v) for v in vals])
            else:
                columns.append(vals if p is None else [None if v is None else p(v) for v in vals])
        self._run(cur, sql, columns)
        return int(cur.rowcount)

    def delete(self, table: Table, key: str, ids: list[str]) -> None:
        if not ids:
            return
        cur = self.raw.cursor()
        try:
            if self.pg:
                sql = f"DELETE FROM {_q(table.name)} WHERE {_q(key)} = ANY({KEYS})"
                self._run(cur, sql, (ids,))
                return
            sql = f"DELETE FROM {_q(table.name)} WHERE {_q(key)} = ?"
            cur.executemany(sql, [(i,) for i in ids])
        finally:
            cur.close()

    def _run(self, cur: Any, sql: str, params: Sequence[Any]) -> None:
        with _integrity():
            cur.execute(sql, params)


class _integrity:
    """The driver's unique or foreign-key violation as SQLAlchemy's `IntegrityError`."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, err: Any, tb: Any) -> None:
        if err is None or isinstance(err, IntegrityError):
            return
        name = type(err).__name__
        if name == "IntegrityError" or _pg_integrity(err):
            raise IntegrityError(None, None, err) from err


def _pg_integrity(err: BaseException) -> bool:
    sqlstate = getattr(err, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith("23")


def _rows(
    rows: list[dict[str, Any]], names: tuple[str, ...], procs: tuple[Proc, ...]
) -> list[tuple[Any, ...]]:
    """The rows' values in `names` order, converted a column at a time."""
    columns: list[list[Any]] = []
    for n, p in zip(names, procs, strict=True):
        col = [r[n] for r in rows]
        columns.append(col if p is None else [None if v is None else p(v) for v in col])
    return list(zip(*columns, strict=True))


_STATEMENT_RESULTS: dict[tuple[str, str], tuple[Proc, ...]] = {}
_BINDS: dict[tuple[str, str, tuple[str, ...]], tuple[Proc, ...]] = {}
_RESULTS: dict[tuple[str, str, tuple[str, ...]], tuple[Proc, ...]] = {}


def _binds(table: Table, names: tuple[str, ...], dialect: Dialect) -> tuple[Proc, ...]:
    k = (dialect.name, table.name, names)
    found = _BINDS.get(k)
    if found is None:
        found = _BINDS[k] = tuple(_bind(table.c[n], dialect) for n in names)
    return found


def _results(table: Table, names: tuple[str, ...], dialect: Dialect) -> tuple[Proc, ...]:
    k = (dialect.name, table.name, names)
    found = _RESULTS.get(k)
    if found is None:
        found = _RESULTS[k] = tuple(_result(table.c[n], dialect) for n in names)
    return found


@lru_cache(maxsize=512)
def _select_sql(table: str, names: tuple[str, ...], key: str, where: str, pg: bool, n: int) -> str:
    cols = ", ".join(_q(c) for c in names)
    cond = f"{_q(key)} = ANY({KEYS})" if pg else f"{_q(key)} IN ({', '.join('?' * n)})"
    extra = f" AND ({where})" if where else ""
    return f"SELECT {cols} FROM {_q(table)} WHERE {cond}{extra}"


@lru_cache(maxsize=256)
def _insert_sql(table: str, names: tuple[str, ...], mark: str) -> str:
    cols = ", ".join(_q(n) for n in names)
    return f"INSERT INTO {_q(table)} ({cols}) VALUES ({', '.join([mark] * len(names))})"


@lru_cache(maxsize=256)
def _update_sql(table: str, names: tuple[str, ...], key: str, cas: bool, mark: str) -> str:
    sets = ", ".join(f"{_q(n)} = {mark}" for n in names)
    where = f"{_q(key)} = {mark}" + (f" AND {_q('version')} = {mark}" if cas else "")
    return f"UPDATE {_q(table)} SET {sets} WHERE {where}"


_SET_SQL: dict[tuple[str, tuple[str, ...], str, tuple[str, ...]], tuple[str, frozenset[str]]] = {}


def _update_set_sql(
    table: Table, names: tuple[str, ...], key: str, lead: tuple[str, ...], dialect: Dialect
) -> tuple[str, frozenset[str]]:
    k = (table.name, names, key, lead)
    found = _SET_SQL.get(k)
    if found is not None:
        return found
    json_cols = frozenset(
        n
        for n in names
        if table.c[n].type.dialect_impl(dialect).compile(dialect=dialect) in ("JSON", "JSONB")
    )

    def array_type(n: str) -> str:
        if n in json_cols:
            return "text[]"
        col = (
            table.c[key] if n == "b_id" else table.c["version"] if n == "b_version" else table.c[n]
        )
        return col.type.dialect_impl(dialect).compile(dialect=dialect) + "[]"

    every = (*lead, *names)
    arrays = ", ".join(f"%s::{array_type(n)}" for n in every)
    alias = ", ".join(_q(n) for n in every)
    sets = ", ".join(f"{_q(n)} = u.{_q(n)}" + ("::jsonb" if n in json_cols else "") for n in names)
    where = f"t.{_q(key)} = u.b_id" + (
        " AND t.version = u.b_version" if "b_version" in lead else ""
    )
    sql = (
        f"UPDATE {_q(table.name)} AS t SET {sets} FROM unnest({arrays}) AS u({alias}) WHERE {where}"
    )
    found = _SET_SQL[k] = (sql, json_cols)
    return found

"""The event log on the cluster: read, validated and de-duplicated by the executors.

One pass over the files computes, per row, whether the SQL derived from the models accepts
it and its converted columns (`accept`), and caches that on the executors. Rows it does not
accept are judged by the models on the executors too (`suspects`); the valid ones among them
join the rest. Then ids seen more than once: the first occurrence in log order stays; a later
one with the same content is a duplicate, one with other content an error naming both lines.
The de-duplicated log is cached on the executors once; the metric queries read that cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from servicenorm.engines.spark import accept, source
from servicenorm.engines.spark.suspects import judged
from servicenorm.events.columns import schema_for
from servicenorm.events.errors import EventError
from servicenorm.events.models import EVENT_TYPES

SHOWN = 100  # invalid lines printed; the rest are counted

_SQL = {
    pa.string(): "STRING",
    pa.int64(): "BIGINT",
    pa.bool_(): "BOOLEAN",
    pa.date32(): "DATE",
    pa.list_(pa.string()): "ARRAY<STRING>",
}


def wide_schema() -> pa.Schema:
    """Every event type's columns in one table (`type` tells which apply), `line` as ord."""
    cols: dict[str, pa.DataType] = {"type": pa.string()}
    for t in EVENT_TYPES:
        for f in schema_for(t, keep_text=False):
            cols.setdefault(f.name, f.type)
    return pa.schema(list(cols.items()))


@dataclass
class ClusterLog:
    """Per event type a DataFrame with the reader's columns (`tables`), and the counts and
    first errors the CLI prints, as `events.EventLog` has them."""

    tables: dict[str, Any]
    errors: list[EventError] = field(default_factory=list)
    invalid: int = 0
    lines: int = 0
    valid: int | None = None  # counted when asked
    duplicates: int = 0
    cached: list[Any] = field(default_factory=list)
    listing: source.Listing | None = None  # the files read (an event's `line` is an ord in them)

    def where(self, ord_: int) -> tuple[str, int]:
        """The file name and line of an event's `line` (an ord)."""
        assert self.listing is not None
        return _where(ord_, self.listing)

    def count_valid(self) -> int:
        """Events kept (a pass over the executors' blocks)."""
        if self.valid is None:
            self.valid = sum(int(df.count()) for df in self.tables.values())
        return self.valid

    def close(self) -> None:
        for df in self.cached:
            df.unpersist()


def _converted(rows: Any, inputs: dict[str, str], wide: pa.Schema) -> Any:
    """Rows with `accepted` and the wide columns; `raw` kept only where not accepted.
    Projections in steps, each naming the last one's columns: short expressions plan fast."""
    staged = rows.selectExpr(
        "file", "line", "raw", "fmt", *(f"{v} AS {k}" for k, v in inputs.items())
    )
    staged = staged.selectExpr("*", *(f"{v} AS {k}" for k, v in accept.instants().items()))
    staged = staged.selectExpr("*", *(f"{v} AS {k}" for k, v in accept.checks().items()))
    plans = {t: ok for t in EVENT_TYPES if (ok := accept.accepted(t)) is not None}
    is_ok = " ".join(f"WHEN {accept._lit(t)} THEN {ok}" for t, ok in plans.items())
    values = accept.values()
    cols = []
    for f in wide:
        if f.name == "type":
            continue
        if f.name == "line":
            cols.append(f"(CAST(file AS BIGINT) * {1 << source.FILE_BITS} + line) AS line")
            continue
        cols.append(f"CAST({values.get(f.name, 'NULL')} AS {_SQL[f.type]}) AS {accept.q(f.name)}")
    return (
        staged.selectExpr(
            "file",
            "line AS file_line",
            "type",
            f"COALESCE(CASE type {is_ok} ELSE FALSE END, FALSE) AS accepted",
            "fmt",
            "raw",
            *cols,
        )
        .selectExpr("*", "CASE WHEN accepted THEN NULL ELSE raw END AS raw_kept")
        .drop("raw")
    )


def read_log(spark: Any, events: str, strict: bool) -> ClusterLog:
    listing = source.list_files(spark, events)
    wide = wide_schema()
    parts = []
    j = source.jsonl_rows(spark, listing)
    if j is not None:
        parts.append(_converted(j, source.jsonl_inputs(), wide))
    p = source.parquet_rows(spark, listing)
    if p is not None:
        parts.append(_converted(p[0], p[1], wide))
    conv = parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])
    return _finish(spark, conv, listing, wide, strict)


def _finish(
    spark: Any, conv: Any, listing: source.Listing, wide: pa.Schema, strict: bool
) -> ClusterLog:
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    # Read and validated once, kept in the executors' columnar cache (a later scan reads only
    # the columns it needs): the counts, the suspects and the log below start from it.
    conv = conv.persist(StorageLevel.MEMORY_AND_DISK)
    counts = conv.agg(
        F.count(F.lit(1)).alias("lines"),
        F.sum(F.when(F.col("accepted"), 0).otherwise(1)).alias("suspects"),
    ).collect()[0]
    lines, suspects = int(counts["lines"]), int(counts["suspects"] or 0)
    log = ClusterLog({}, lines=lines, listing=listing)
    transient = [conv]
    names = [accept.q(f.name) for f in wide]
    kept = conv.where("accepted").select(*names)
    if suspects:
        rows = conv.where("NOT accepted").selectExpr(
            "file", "file_line AS line", "raw_kept AS raw", "fmt"
        )
        out = judged(rows, listing.names, wide, _ddl(wide)).persist(StorageLevel.MEMORY_AND_DISK)
        transient.append(out)
        errors = out.where("err_field IS NOT NULL")
        log.invalid = int(errors.count())
        if log.invalid:
            shown = (
                errors.orderBy("file", "file_line")
                .limit(1 if strict else SHOWN)
                .select("file", "file_line", "err_field", "err_reason")
                .collect()
            )
            log.errors = [
                EventError(
                    r["err_field"], r["err_reason"], int(r["file_line"]), listing.names[r["file"]]
                )
                for r in shown
            ]
            if strict:
                _release(transient)
                raise log.errors[0]
        kept = kept.unionByName(out.where("err_field IS NULL").select(*names))
    try:
        kept = _deduplicated(spark, kept, wide, listing, log, strict, transient)
    except EventError:
        _release(transient)
        raise
    # The log as the metrics read it, computed once and kept on the executors with its plan
    # cut there: a metric query plans and reads these blocks only, not the validation, the
    # union with the judged rows and the de-duplication behind them (a cache would keep that
    # plan, and every query would match its own plan against it).
    kept = kept.localCheckpoint(eager=True)
    log.cached = [kept]
    _release(transient)
    log.tables = {}
    for t in EVENT_TYPES:
        cols = [accept.q(f.name) for f in schema_for(t, keep_text=False)]
        if t == "message_sent":
            cols = [accept.AUTOMATED if c == "`automated`" else c for c in cols]
        # Each type's rows cached columnar on top of the cut plan (filled by the first query
        # that reads them): a metric scan then reads its type's columns, not every wide row.
        table = kept.where(f"type = {accept._lit(t)}").selectExpr(*cols).cache()
        log.cached.append(table)
        log.tables[t] = table
    return log


def _release(dfs: list[Any]) -> None:
    for df in dfs:
        df.unpersist()


def _ddl(wide: pa.Schema) -> str:
    return ", ".join(f"{accept.q(f.name)} {_SQL[f.type]}" for f in wide)


def _deduplicated(
    spark: Any,
    kept: Any,
    wide: pa.Schema,
    listing: source.Listing,
    log: ClusterLog,
    strict: bool,
    transient: list[Any],
) -> Any:
    """The first occurrence of every id in log order; the rest counted (same content) or
    reported (other content: an error naming both lines)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    repeated = (
        kept.groupBy("id")
        .agg(F.count(F.lit(1)).alias("n"), F.min("line").alias("first"))
        .where("n > 1")
        .select("id", "first")
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    transient.append(repeated)
    n_repeated = repeated.count()
    content = " ".join(
        f"WHEN {accept._lit(t)} THEN to_json(struct("
        + ", ".join(accept.q(f.name) for f in schema_for(t, False) if f.name not in {"line", "id"})
        + "))"
        for t in EVENT_TYPES
    )
    if n_repeated:
        dup = kept.join(F.broadcast(repeated) if n_repeated < 1_000_000 else repeated, "id")
        dup = dup.selectExpr(
            "id", "line", "first", f"xxhash64(type, CASE type {content} END) AS content"
        )
        firsts = dup.where("line = first").selectExpr("id", "content AS first_content")
        later = dup.where("line <> first").join(firsts, "id")
        stats = later.agg(
            F.sum(F.when(F.col("content") == F.col("first_content"), 1).otherwise(0)).alias("same"),
            F.sum(F.when(F.col("content") != F.col("first_content"), 1).otherwise(0)).alias(
                "other"
            ),
        ).collect()[0]
        log.duplicates = int(stats["same"] or 0)
        other = int(stats["other"] or 0)
        if other:
            shown = (
                later.where("content <> first_content")
                .orderBy("line")
                .limit(SHOWN if not strict else 1)
                .collect()
            )
            conflicts = [
                _conflict(r["id"], int(r["line"]), int(r["first"]), listing) for r in shown
            ]
            if strict:
                raise conflicts[0]
            log.invalid += other
            log.errors = _first(log.errors + conflicts)
        kept = kept.join(
            F.broadcast(repeated) if n_repeated < 1_000_000 else repeated, "id", "left"
        )
        kept = kept.where("first IS NULL OR line = first").drop("first")
    return kept


def _where(ord_: int, listing: source.Listing) -> tuple[str, int]:
    return listing.names[ord_ >> source.FILE_BITS], ord_ & ((1 << source.FILE_BITS) - 1)


def _conflict(event_id: str, ord_: int, first: int, listing: source.Listing) -> EventError:
    name, line = _where(ord_, listing)
    first_name, first_line = _where(first, listing)
    # the reader's words (`events.reader`); the first line's file named when it is another
    at = f"line {first_line}" if first_name == name else f"{first_name}:{first_line}"
    return EventError(
        "id", f"event id {event_id!r} was used by a different event on {at}", line, name
    )


def _first(errors: list[EventError]) -> list[EventError]:
    return sorted(errors, key=lambda e: (e.source, e.line))[:SHOWN]

"""The files behind `--events` and their rows as the executors read them.

`--events` is a file, a directory (read recursively) or a glob, on any filesystem Spark's
Hadoop layer reads (`file://` on shared storage, `hdfs://`, `s3a://`). Files named `*.jsonl`
or `*.jsonl.gz` are JSON Lines, `*.parquet` Parquet; names starting with `_` or `.` (Spark's
`_SUCCESS`, hidden files) are skipped. The driver lists file names, never their contents.

Every row carries its file (an index into the sorted listing), its line (1-based; the row
number in a Parquet file, as the DuckDB path counts them) and `ord`, which orders rows as if
the files were one log read in name order: the reader's "first occurrence" and the metric
SQL's `line` tie-breaks mean the same on one file and on its partitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from servicenorm.engines.spark import accept

FILE_BITS = 40  # ord = file index << 40 | line: a trillion lines per file
_JSONL = (".jsonl", ".jsonl.gz")


@dataclass(frozen=True)
class Listing:
    files: list[str]  # URIs, sorted
    names: list[str]  # as error messages show them

    def kind(self, i: int) -> str:
        return "parquet" if self.files[i].endswith(".parquet") else "jsonl"


def _skipped(name: str) -> bool:
    return name.startswith(("_", "."))


def list_files(spark: Any, events: str) -> Listing:
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    path = jvm.org.apache.hadoop.fs.Path(events)
    try:
        fs = path.getFileSystem(conf)
        matches = fs.globStatus(path)
    except Exception as e:  # py4j wraps the Hadoop error: say it in one line
        raise ValueError(f"event log {events}: {_java_message(e)}") from None
    if not matches:
        raise ValueError(f"event log {events} does not exist")
    found: list[str] = []
    for st in matches:
        if st.isDirectory():
            it = fs.listFiles(st.getPath(), True)
            while it.hasNext():
                f = it.next()
                rel = f.getPath().toString()
                if not any(
                    _skipped(part) for part in rel[len(st.getPath().toString()) :].split("/")
                ):
                    found.append(rel)
        else:
            found.append(st.getPath().toString())
    files = sorted(f for f in found if f.endswith((*_JSONL, ".parquet")))
    if not files:
        raise ValueError(f"event log {events}: no .jsonl, .jsonl.gz or .parquet files found")
    single = len(matches) == 1 and not matches[0].isDirectory() and len(files) == 1
    names = [events if single else _display(f) for f in files]
    return Listing(files, names)


def _display(uri: str) -> str:
    return uri.removeprefix("file:") if uri.startswith("file:/") else uri


def _java_message(e: Exception) -> str:
    text = str(getattr(e, "java_exception", e))
    return text.splitlines()[0] if text else type(e).__name__


def _index(listing: Listing, kind: str) -> tuple[list[str], str]:
    """(the files of one kind, SQL mapping a file URI to its index in the listing)."""
    files = [f for i, f in enumerate(listing.files) if listing.kind(i) == kind]
    cases = " ".join(
        f"WHEN {accept._lit(f)} THEN {i}" for i, f in enumerate(listing.files) if f in files
    )
    return files, f"(CASE _metadata.file_path {cases} END)"


def jsonl_rows(spark: Any, listing: Listing) -> Any | None:
    """JSON Lines as (file, line, raw, v): one row per line, `v` the parsed variant.

    Line numbers: Spark splits a large file into byte ranges, and a line belongs to the
    range it starts in. A first pass counts the lines of each range (a small table for the
    driver), the second numbers the rows within their range."""
    from pyspark.sql import functions as F

    files, file_index = _index(listing, "jsonl")
    if not files:
        return None
    base = (
        spark.read.option("lineSep", "\n")
        .text(files)
        .selectExpr(
            "value",
            f"{file_index} AS file",
            "_metadata.file_block_start AS block",
            "monotonically_increasing_id() AS mid",
        )
    )
    ranges = base.groupBy("file", "block").agg(
        F.min("mid").alias("m0"), F.count(F.lit(1)).alias("n")
    )
    rows = sorted((r["file"], r["block"], r["m0"], r["n"]) for r in ranges.collect())
    firsts, before, last_file = [], 0, None
    for file, block, m0, n in rows:
        if file != last_file:
            before, last_file = 0, file
        firsts.append((file, block, m0, before))
        before += n
    starts = spark.createDataFrame(firsts, "file INT, block BIGINT, m0 BIGINT, before BIGINT")
    return base.join(F.broadcast(starts), ["file", "block"]).selectExpr(
        "file",
        "before + (mid - m0) + 1 AS line",
        "CAST(value AS BINARY) AS raw",
        "'jsonl' AS fmt",
        # one flat object and nothing else on the line, in valid UTF-8, else for the models
        f"CASE WHEN is_valid_utf8(value) AND value RLIKE {accept._lit(accept._FLAT_OBJECT)}"
        " THEN try_parse_json(value) END AS v",
    )


def jsonl_inputs() -> dict[str, str]:
    return {"type": _json_type(), **accept.inputs(accept.json_field)}


def _json_type() -> str:
    return (
        "CASE WHEN schema_of_variant(variant_get(v, '$.type')) = 'STRING'"
        " THEN variant_get(v, '$.type', 'string') END"
    )


def parquet_rows(spark: Any, listing: Listing) -> tuple[Any, dict[str, str]] | None:
    """Parquet as (file, line, raw, <columns>) and the first projection over its columns.
    `raw` is the row as JSON (nulls left out), what the models read when they decide."""
    files, file_index = _index(listing, "parquet")
    if not files:
        return None
    df = spark.read.option("mergeSchema", "true").parquet(*files)
    types = {f.name: f.dataType.simpleString() for f in df.schema.fields}
    cols = ", ".join(accept.q(n) for n in types)
    rows = df.selectExpr(
        "*",
        f"{file_index} AS file",
        "_metadata.row_index + 1 AS line",
        f"CAST(to_json(struct({cols})) AS BINARY) AS raw",
        "'parquet' AS fmt",
    )

    def field(name: str, want: str) -> accept.Input:
        return accept.parquet_field(name, types.get(name), want)

    kind = types.get("type")
    type_sql = "CAST(`type` AS STRING)" if kind == "string" else "CAST(NULL AS STRING)"
    return rows, {"type": type_sql, **accept.inputs(field)}

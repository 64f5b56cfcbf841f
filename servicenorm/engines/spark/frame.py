"""The metric frame on the cluster: the same tables `metrics.frame.build_frame` gives DuckDB,
with the event tables as DataFrames the executors compute and the clock's tables built on the
driver (`clock_tables`, from the registrations and phone hours: a few rows per seller) and
sent with the job. The registry's SQL then runs unchanged."""

from __future__ import annotations

from typing import Any

from servicenorm.clock.kernel import HOUR
from servicenorm.engines.spark.log import ClusterLog
from servicenorm.engines.spark_engine import SparkEngine
from servicenorm.events import EventError
from servicenorm.metrics.frame import (
    _TIME_COLUMNS,
    CONVERSATION_TABLES,
    Frame,
    clock_tables,
    renamed,
)
from servicenorm.metrics.report import Run, start
from servicenorm.metrics.window import Window
from servicenorm.policy import Policy
from servicenorm.policy.schema import waiver_refusal


def _seen(log: ClusterLog, as_of_us: int) -> dict[str, Any]:
    """Only events with at <= as-of are seen; instants used by the clock get an hour key
    (integer division truncating, as Arrow's on the DuckDB path)."""
    out = {}
    for name, df in log.tables.items():
        df = df.where(f"`at` <= {int(as_of_us)}")
        for col in _TIME_COLUMNS.get(name, []):
            df = df.selectExpr("*", f"`{col}` div {HOUR} AS `{col}_h`")
        out[name] = df
    return out


def prepare_cluster(log: ClusterLog, policy: Policy, window: Window, engine: SparkEngine) -> Run:
    tables = _seen(log, window.as_of_us)
    times = [tables[t].select("at") for t in _TIME_COLUMNS]
    union = times[0]
    for t in times[1:]:
        union = union.unionByName(t)
    first = union.agg({"at": "min"}).collect()[0][0]
    lo = window.start_us if first is None else min(window.start_us, int(first))
    small = clock_tables(
        tables["seller_registered"].toArrow(),
        tables["phone_hours_set"].toArrow(),
        policy,
        window,
        lo,
    )
    engine.load(renamed(small.tables))
    from pyspark.sql import functions as F

    refused: list[EventError] = []
    if not policy.response.reply_waiver:  # as `build_frame`: reported, left out of the run
        w, q = tables["reply_waived"], tables["question_opened"]
        hit = (
            w.select("conversation", "line")
            .join(q.select("conversation", "seller"), "conversation")
            .where(F.col("seller").isin(small.sellers))
            .select("line")
            .collect()
        )
        reason = waiver_refusal(policy.name)
        refused = [
            EventError("type", reason, line, name)
            for name, line in sorted(log.where(int(r[0])) for r in hit)
        ]
        tables["reply_waived"] = w.limit(0)
    # Conversations keyed by their id: a dense integer numbering would need one global sort.
    for name in CONVERSATION_TABLES:
        tables[name] = tables[name].selectExpr("*", "conversation AS conv_key")
    for name, df in tables.items():
        cols = {"at": "ts", "at_h": "ts_h"}
        engine.register(
            name, df.withColumnsRenamed({c: n for c, n in cols.items() if c in df.columns})
        )
    sql = engine.spark.sql
    engine.register(
        "shop_status",
        sql(
            "SELECT seller, ts, line, TRUE AS closed FROM shop_closed"
            " UNION ALL SELECT seller, ts, line, FALSE AS closed FROM shop_reopened"
        ),
    )
    return start(
        Frame(policy, window, renamed(small.tables), small.calendars, small.sellers, refused),
        engine,
    )

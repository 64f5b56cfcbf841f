"""Apache Spark: the same SQL on a cluster (or `local[*]` on one machine).

Small tables the driver builds (the clock's hour tables, sellers, weeks) are sent to the
executors with the job (`load`); the event tables of a cluster run are DataFrames the
executors read themselves (`register`, see `engines/spark`). Only what a query returns comes
back to the driver: per-seller summaries, never items (`write_parquet` writes those from
the executors)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

# Queries in flight at once (`query_many`): enough to keep the driver planning ahead.
CONCURRENT_JOBS = 4


class SparkEngine:
    name = "spark"

    def __init__(
        self, master: str | None = None, conf: dict[str, str] | None = None, spark: Any = None
    ) -> None:
        from servicenorm.engines.spark.session import session

        self.spark = spark if spark is not None else session(master, conf)
        self._views: list[Any] = []

    def load(self, tables: dict[str, pa.Table]) -> None:
        # Through the job itself, not a staging path: executors need not see the driver's disk.
        # Only this engine's earlier tables are dropped: the cluster log's cache stays.
        self.close()
        for name, table in tables.items():
            self.register(name, self.spark.createDataFrame(table), cache=True)

    def add_tables(self, tables: dict[str, pa.Table]) -> None:
        """Small tables for the job, next to those `load` sent (their caches kept)."""
        for name, table in tables.items():
            self.register(name, self.spark.createDataFrame(table), cache=True)

    def columns(self, sql: str) -> list[str]:
        return list(self.spark.sql(sql).columns)

    def write_parquet(self, sql: str, path: str, partition_by: str, instants: list[str]) -> None:
        """`sql`'s rows as Parquet under `path` (any filesystem the executors write), one
        directory per `partition_by` value, written by the executors; `instants` (epoch
        microseconds) as UTC timestamps."""
        df = self.spark.sql(sql)
        df = df.selectExpr(
            *(
                f"timestamp_micros(`{c}`) AS `{c}`" if c in instants else f"`{c}`"
                for c in df.columns
            )
        )
        df.write.mode("overwrite").partitionBy(partition_by).parquet(path)

    def register(self, name: str, df: Any, cache: bool = False) -> None:
        if cache:  # every metric of a run reads the small tables again
            df = df.cache()
            self._views.append(df)
        df.createOrReplaceTempView(name)

    def query(self, sql: str) -> list[dict[str, Any]]:
        return [row.asDict() for row in self.spark.sql(sql).collect()]

    def query_many(self, sqls: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
        """Several queries as concurrent jobs (each from its own driver thread): the driver
        plans one while the executors run another, and a small job's tasks fill the cores a
        large one leaves idle at its end. Results keyed as `sqls`."""
        from concurrent.futures import ThreadPoolExecutor

        if len(sqls) <= 1:
            return {k: self.query(v) for k, v in sqls.items()}
        with ThreadPoolExecutor(max_workers=min(len(sqls), CONCURRENT_JOBS)) as pool:
            futures = {k: pool.submit(self.query, v) for k, v in sqls.items()}
            return {k: f.result() for k, f in futures.items()}

    def query_seller(self, sql: str, seller: str) -> list[dict[str, Any]]:
        """One seller's rows of `sql` (the seller a value, never SQL text)."""
        from pyspark.sql import functions as F

        rows = self.spark.sql(sql).where(F.col("seller") == F.lit(seller)).collect()
        return [row.asDict() for row in rows]

    def materialize(self, name: str, sql: str) -> None:
        self.register(name, self.spark.sql(sql), cache=True)

    def close(self) -> None:
        for df in self._views:
            df.unpersist()
        self._views.clear()

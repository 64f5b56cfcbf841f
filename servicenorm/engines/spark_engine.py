"""Apache Spark: the same SQL on a cluster (or `local[*]` on one machine).

Tables are handed to Spark as Parquet files in a staging directory, the way a cluster job
would read them from shared storage; `--spark-master` points at a real cluster."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq


class SparkEngine:
    name = "spark"

    def __init__(self, master: str | None = None, staging: Path | None = None) -> None:
        from pyspark.sql import SparkSession

        os.environ.setdefault("PYSPARK_PYTHON", shutil.which("python3") or "python3")
        self.staging = Path(staging or tempfile.mkdtemp(prefix="servicenorm-spark-"))
        self._own_staging = staging is None
        self._runs = 0
        self.spark = (
            SparkSession.builder.master(master or "local[2]")
            .appName("servicenorm")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.memory", "2g")
            .config("spark.sql.ansi.enabled", "false")
            .getOrCreate()
        )
        self.spark.sparkContext.setLogLevel("ERROR")

    def load(self, tables: dict[str, pa.Table]) -> None:
        # A fresh directory per run: Spark caches by plan, and a plan reading a path it has
        # cached before would be served the earlier run's rows.
        self.spark.catalog.clearCache()
        self._runs += 1
        run_dir = self.staging / f"run{self._runs}"
        run_dir.mkdir(parents=True, exist_ok=True)
        for name, table in tables.items():
            path = run_dir / f"{name}.parquet"
            pq.write_table(table, path)
            # cached: every metric of a run reads the same small tables again
            self.spark.read.parquet(str(path)).cache().createOrReplaceTempView(name)

    def query(self, sql: str) -> list[dict[str, Any]]:
        return [row.asDict() for row in self.spark.sql(sql).collect()]

    def materialize(self, name: str, sql: str) -> None:
        self.spark.sql(sql).cache().createOrReplaceTempView(name)

    def close(self) -> None:
        if self._own_staging:
            shutil.rmtree(self.staging, ignore_errors=True)

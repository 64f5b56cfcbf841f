"""The SparkSession a run uses: a master URL (`local[2]`, `spark://host:7077`, `yarn`,
`k8s://...`) and `key=value` settings passed through unchanged (Hadoop filesystems, memory)."""

from __future__ import annotations

import os
from typing import Any

DEFAULTS = {
    "spark.app.name": "servicenorm",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",  # instants are integers; nothing depends on it
    "spark.sql.ansi.enabled": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.adaptive.enabled": "true",
    # the validation projections are wide: constraint inference over them costs minutes
    "spark.sql.constraintPropagation.enabled": "false",
    # `--out`: timestamps as Parquet's int64 microseconds (UTC), not the legacy INT96
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    # the driver holds no events: a small heap is enough
    "spark.driver.memory": "1g",
}


def parse_conf(pairs: list[str]) -> dict[str, str]:
    """`--spark-conf key=value` options; a malformed one is a usage error."""
    out: dict[str, str] = {}
    for p in pairs:
        key, sep, value = p.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--spark-conf {p!r} is not key=value (e.g. spark.executor.memory=4g)")
        out[key.strip()] = value
    return out


def session(master: str | None, conf: dict[str, str] | None = None) -> Any:
    """A SparkSession for `master` (default `local[2]`) with our defaults under `conf`."""
    from pyspark.sql import SparkSession

    settings = DEFAULTS | {"spark.ui.enabled": "false"} | (conf or {})
    if os.environ.get("SPARK_LOCAL_IP"):  # a cluster bound to one address: the driver too
        settings.setdefault("spark.driver.host", os.environ["SPARK_LOCAL_IP"])
        settings.setdefault("spark.driver.bindAddress", os.environ["SPARK_LOCAL_IP"])
    builder = SparkSession.builder.master(master or "local[2]")
    for k, v in settings.items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
